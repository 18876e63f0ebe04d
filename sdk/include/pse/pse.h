/* pse/pse.h — the C interface to the PSE SDK, for programs in C and for other languages' FFI.
 *
 * It wraps the same C++ client and provider (<pse/client.hpp>, <pse/provider.hpp>): the same
 * mutual TLS, keep-alive pool, retries, reconnection and reason codes. Everything crosses this
 * interface as opaque handles, C strings and JSON text in the wire shapes of
 * docs/api/exchange-protocol.md.
 *
 * Memory: every `char*` this library hands you (through a `char**` out parameter) is yours; free
 * it with pse_string_free(). Out parameters may be NULL when you do not want the value; those
 * you pass are set to NULL when there is nothing to return. Strings you pass are copied.
 *
 * Errors: functions that can fail return 0 on success and otherwise the HTTP status of the
 * reason (400, 403, 404, 503…), with `error_code` set to the reason's wire spelling (e.g.
 * "consent_missing", see <pse/reason.hpp>) and `error_message` to a text for people. Branch on
 * the code, not on the message. Transport and TLS failures are "provider_unavailable".
 *
 * Threads: a pse_client may be used from several threads at once.
 *
 *     pse_client_options options = {0};           // zero means "default" for every field
 *     options.ca_file = "ca.crt";
 *     options.certificate_file = "org.crt";
 *     options.key_file = "org.key";
 *     char* error = NULL;
 *     pse_client* client = pse_client_new(&options, &error);
 *     char *response = NULL, *code = NULL, *message = NULL;
 *     if (pse_exchange(client, "{\"subject\":\"QC-1957-0042\",\"provider\":\"etat-civil\","
 *                      "\"category\":\"identity.birth\",\"purpose\":\"pension_eligibility\"}",
 *                      &response, &code, &message) == 0)
 *       puts(response);
 *     pse_string_free(response); pse_string_free(code); pse_string_free(message);
 *     pse_client_free(client);
 */
#ifndef PSE_PSE_H
#define PSE_PSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How to reach the broker and who you are. Zero-initialise it: every zero or NULL field takes
 * its default. Fields are only ever added at the end. */
typedef struct pse_client_options {
  const char* host;             /* the broker's host name or address; NULL: "localhost" */
  uint16_t port;                /* the broker's mutual-TLS port; 0: 8443 */
  const char* server_name;      /* the name the broker's certificate must carry; NULL: host */
  const char* ca_file;          /* PEM, the platform CA (required) */
  const char* certificate_file; /* PEM, your organisation's certificate (required) */
  const char* key_file;         /* PEM, its private key (required) */
  uint32_t request_timeout_ms;  /* the longest an exchange may take; 0: 15000 */
  uint32_t connect_timeout_ms;  /* TCP connect + TLS handshake; 0: 5000 */
  uint32_t max_connections;     /* parallel keep-alive connections of a client; 0: 4 */
  /* The keys of the classification's obligations (ClientOptions in <pse/client_options.hpp>);
   * NULL: none. */
  const char* encryption_key_file;  /* your X25519 secret: opens records sealed for you */
  const char* signing_key_file;     /* your Ed25519 seed: a provider signs what its category requires */
  const char* encryption_keys_dir;  /* the platform's consumers' keys: seal only for the registered one */
  const char* signing_keys_dir;     /* the platform's providers' keys: verify signed records
                                     * (one that fails is "integrity_failed") */
} pse_client_options;

/* Frees a string this library returned. NULL is allowed. */
void pse_string_free(char* string);

/* ---- Consumer ---------------------------------------------------------------------------- */

typedef struct pse_client pse_client;

/* Creates a client (it connects on the first exchange). Returns NULL when a file cannot be read
 * or the key does not match the certificate, with the reason in *error_message. */
pse_client* pse_client_new(const pse_client_options* options, char** error_message);

/* Fails exchanges still waiting, closes the connections. NULL is allowed. */
void pse_client_free(pse_client* client);

/* Runs one exchange and waits for its outcome.
 *
 * request_json: {"subject": "...", "provider": "...", "category": "...", "purpose": "...",
 *                "fields": ["..."] (optional), "request_id": "..." (optional)}
 * On success returns 0 and sets *response_json to the broker's answer:
 *   {"request_id", "record": {...}, "refused_fields": [{"name", "reason"}], "rule_id",
 *    "basis": {"type", "reference"}, "obligations": [...], "audit_seq"}
 * A record sealed for you is opened (options.encryption_key_file) into "record", and a signed
 * one checked when options.signing_keys_dir is set, before you see it.
 * Otherwise returns the reason's HTTP status and sets *error_code and *error_message; a request
 * that is not that JSON (unknown fields included) is refused as "malformed_request" (400)
 * without reaching the broker. */
int pse_exchange(pse_client* client, const char* request_json, char** response_json, char** error_code,
                 char** error_message);

/* ---- Provider ---------------------------------------------------------------------------- */

typedef struct pse_provider pse_provider;
typedef struct pse_reply pse_reply;

/* Your handler, run on one of the provider's handler threads (so it must be thread-safe) for
 * each request the broker sends. request_json:
 *   {"id", "request_id", "consumer", "category", "purpose", "subject", "fields": [...],
 *    "timeout_ms"}
 * Answer through `reply` before returning: pse_reply_record() or pse_reply_error(). A handler
 * that returns without answering reports "provider_error". `reply` is invalid after return. */
typedef void (*pse_provider_handler)(void* user_data, const char* request_json, pse_reply* reply);

/* Answers with a record: a JSON object of the permitted fields (strings, numbers, booleans or
 * null; a list field holds an array of objects of those: pse/record_fields.hpp). Returns 0, or
 * 400 when record_json is not a JSON object (the reply is then an error). */
int pse_reply_record(pse_reply* reply, const char* record_json);

/* Answers with an error: "record_not_found" reaches the consumer as such (404); any other code
 * reaches the consumer as "provider_error". message may be NULL. */
void pse_reply_error(pse_reply* reply, const char* code, const char* message);

/* Creates a provider serving `categories` (category_count entries) with `handler`, called with
 * `user_data`. Returns NULL with *error_message when a file cannot be read or nothing is served. */
pse_provider* pse_provider_new(const pse_client_options* options, const char* const* categories,
                               size_t category_count, pse_provider_handler handler, void* user_data,
                               char** error_message);

/* Connects and serves on a background thread; reconnects with backoff until stopped. */
int pse_provider_start(pse_provider* provider, char** error_code, char** error_message);

/* Waits until the broker has accepted the connection (0), refused it (its reason), or
 * timeout_ms passed ("provider_unavailable", 503). */
int pse_provider_wait_ready(pse_provider* provider, uint32_t timeout_ms, char** error_code, char** error_message);

/* Closes the connection and waits for running handlers. Idempotent. */
void pse_provider_stop(pse_provider* provider);

/* Stops and frees. NULL is allowed. */
void pse_provider_free(pse_provider* provider);

#ifdef __cplusplus
}
#endif

#endif /* PSE_PSE_H */
