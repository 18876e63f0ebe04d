#include "base/key_file.hpp"

#include "base/config_error.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace pse {

std::string read_key_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file, 0, "cannot read key file");
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r' || content.back() == ' ')) {
    content.pop_back();
  }
  return content;
}

std::string read_secret_key_file(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) throw ConfigError(file, 0, "cannot read key file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    throw ConfigError(file, 0, std::string("secret key file has mode ") + mode +
                                   "; it must be readable by its owner only (chmod 600)");
  }
  return read_key_file(file);
}

}  // namespace pse
