// Writes a delivery-queue key file as an operator would (openssl rand -base64 32; chmod 600).
#pragma once

#include <filesystem>
#include <string>

namespace pse::testing {

/// `<keys_dir>/queue-<id>.key`: 32 random bytes in base64, readable by the owner only.
void write_queue_key(const std::filesystem::path& keys_dir, const std::string& id = "q1");

}  // namespace pse::testing
