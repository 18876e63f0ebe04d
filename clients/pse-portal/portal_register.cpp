// The register's routes: who used the citizen's information, and each entry's inclusion proof.
#include "portal_app.hpp"

#include <boost/json.hpp>

namespace pse::portal {

WebResponse PortalApp::show_accesses(Call& call) {
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", call.subject(), "accesses"}));
  if (!answer) return registry_failure(call, answer.error(), "list accesses", kUnavailable);
  return WebResponse{200, "text/html; charset=utf-8", accesses_page(call.context, content_, *answer), {}};
}

WebResponse PortalApp::download_proof(Call& call) {
  call.context.path = "/acces";
  const std::string seq = query_value(call.target.query, "seq").value_or("");
  const Words title{"Preuve introuvable", "Proof not found"};
  const bool number = !seq.empty() && seq.size() <= 20 && seq.find_first_not_of("0123456789") == std::string::npos;
  if (!number) {
    return message(400, call.context, title, {"Ce numéro d'inscription n'est pas valide.", "This entry number is not valid."});
  }
  // The broker proves only an entry about this subject: another's is "not found", like a number never used.
  auto answer = registry_.call(RegistryMethod::get, registry_path({"subjects", call.subject(), "accesses", seq, "proof"}));
  if (!answer && answer.error().reason == Reason::not_found) {
    return message(404, call.context, title,
                   {"Aucune inscription de ce numéro ne vous concerne, ou elle n'est pas encore signée. Réessayez dans "
                    "une minute.",
                    "No entry of this number is about you, or it is not signed yet. Try again in a minute."});
  }
  if (!answer) return registry_failure(call, answer.error(), "prove an entry", title);
  WebResponse response{200, "application/json", boost::json::serialize(*answer) + "\n", {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"preuve-inscription-" + seq + ".json\"");
  return response;
}

}  // namespace pse::portal
