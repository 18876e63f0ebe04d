#include "policy/decision.hpp"

namespace pse::policy {

std::string_view to_string(Effect effect) noexcept { return effect == Effect::allow ? "allow" : "deny"; }

}  // namespace pse::policy
