// Reading key files as the platform keeps them: a secret key is readable by its owner only.
#pragma once

#include <filesystem>
#include <string>

namespace pse {

/// The file's text without trailing whitespace. Throws ConfigError ("cannot read key file").
std::string read_key_file(const std::filesystem::path& file);

/// read_key_file() of a secret: throws ConfigError naming the file and its mode when group or
/// others may read it ("chmod 600").
std::string read_secret_key_file(const std::filesystem::path& file);

}  // namespace pse
