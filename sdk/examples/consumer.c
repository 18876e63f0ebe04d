/* consumer.c — the consumer example through the C ABI (<pse/pse.h>).
 *
 *   consumer_c CA_FILE CERT_FILE KEY_FILE SUBJECT [HOST [PORT]]
 */
#include <pse/pse.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: consumer_c CA_FILE CERT_FILE KEY_FILE SUBJECT [HOST [PORT]]\n");
    return 2;
  }
  pse_client_options options = {0};
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  if (argc > 5) options.host = argv[5];
  if (argc > 6) options.port = (uint16_t)atoi(argv[6]);

  char* error = NULL;
  pse_client* client = pse_client_new(&options, &error);
  if (client == NULL) {
    fprintf(stderr, "consumer_c: %s\n", error);
    pse_string_free(error);
    return 2;
  }

  /* A real program builds this with a JSON library; the subject must be JSON-escaped. */
  char request[512];
  snprintf(request, sizeof request,
           "{\"subject\": \"%s\", \"provider\": \"etat-civil\", \"category\": \"identity.birth\","
           " \"purpose\": \"pension_eligibility\", \"fields\": [\"surname\", \"birth_date\"]}",
           argv[4]);

  char* response = NULL;
  char* code = NULL;
  char* message = NULL;
  const int status = pse_exchange(client, request, &response, &code, &message);
  if (status == 0) {
    printf("%s\n", response);
  } else {
    printf("refused: %s (%d) — %s\n", code, status, message);
  }
  pse_string_free(response);
  pse_string_free(code);
  pse_string_free(message);
  pse_client_free(client);
  return status == 0 ? 0 : 1;
}
