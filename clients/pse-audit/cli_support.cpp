#include "clients/pse-audit/cli_support.hpp"

#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "base/config_error.hpp"
#include "base/key_file.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace pse::audit_cli {

using namespace pse::audit;

namespace {

// A PostgreSQL connection string: a URI, or key=value words where no such file exists.
bool names_postgresql(const std::string& db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://") ||
         (db.find('=') != std::string::npos && !std::filesystem::exists(db));
}

}  // namespace

std::unique_ptr<AuditStore> open_store(const Arguments& args) {
  const std::string db = args.required("db");
  if (names_postgresql(db)) {
    if (auto problem = check_pg_conninfo(db)) throw UsageError("--db: " + *problem);
    PgConnectOptions options;
    options.conninfo = db;
    if (const auto password = args.value("password-file")) options.password = read_secret_key_file(*password);
    auto store = PgAuditStore::open(options, PgAuditStore::Access::read_only);
    if (!store) throw ConfigError("--db", 0, store.error().message);
    return std::move(store).value();
  }
  if (args.value("password-file")) throw UsageError("--password-file goes with a PostgreSQL --db only");
  const std::filesystem::path file = db;
  if (!std::filesystem::is_regular_file(file)) throw ConfigError(file, 0, "no such audit database");
  auto store = SqliteAuditStore::open(file, SqliteAuditStore::Access::read_only);
  if (!store) throw ConfigError(file, 0, store.error().message);
  return std::move(store).value();
}

PublicKey public_key_from(const Arguments& args) {
  if (const auto file = args.value("public-key")) return load_public_key(*file);
  if (const auto dir = args.value("key-dir")) return load_public_key(std::filesystem::path(*dir) / public_key_file);
  throw UsageError("--key-dir (or --public-key) is required to check signatures");
}

SubjectHashKey subject_key_from(const Arguments& args) {
  const auto dir = args.value("key-dir");
  if (!dir) throw UsageError("--key-dir is required to search by subject (it holds subject-hash.key)");
  return load_subject_hash_key(std::filesystem::path(*dir) / subject_key_file);
}

std::string read_text(const std::filesystem::path& file) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file, 0, "cannot read file");
  text << in.rdbuf();
  return text.str();
}

void write_output(const Arguments& args, const std::string& text) {
  if (const auto out = args.value("out")) {
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    if (!file || !(file << text) || !file.flush()) throw ConfigError(*out, 0, "cannot write file");
    return;
  }
  std::cout << text;
}

SignedTreeHead head_from_json(const boost::json::value& json, const std::filesystem::path& file) {
  const auto* object = json.if_object();
  if (object == nullptr) throw ConfigError(file, 0, "a tree head must be a JSON object");
  const auto string_field = [&](const char* name) -> std::string {
    const auto* value = object->if_contains(name);
    if (value == nullptr || !value->is_string()) throw ConfigError(file, 0, std::string("tree head needs \"") + name + "\"");
    return std::string(value->get_string());
  };
  const auto integer_field = [&](const char* name) -> std::int64_t {
    const auto* value = object->if_contains(name);
    if (value == nullptr || !(value->is_int64() || value->is_uint64())) {
      throw ConfigError(file, 0, std::string("tree head needs the integer \"") + name + "\"");
    }
    return value->is_int64() ? value->get_int64() : static_cast<std::int64_t>(value->get_uint64());
  };
  SignedTreeHead head;
  const std::int64_t size = integer_field("tree_size");
  if (size < 0) throw ConfigError(file, 0, "tree_size must not be negative");
  head.tree_size = static_cast<std::uint64_t>(size);
  head.time = integer_field("time_us");
  const auto root = hash_from_hex(string_field("root"));
  const auto previous = hash_from_hex(string_field("previous"));
  const auto signature = bytes_from_hex(string_field("signature"), head.signature.size());
  if (!root || !previous || !signature) throw ConfigError(file, 0, "root, previous and signature must be hex");
  head.root = *root;
  head.previous = *previous;
  std::copy(signature->begin(), signature->end(), head.signature.begin());
  return head;
}

SignedTreeHead read_head_file(const std::filesystem::path& file) {
  boost::system::error_code error;
  const boost::json::value json = boost::json::parse(read_text(file), error);
  if (error) throw ConfigError(file, 0, "not JSON: " + error.message());
  return head_from_json(json, file);
}

boost::json::object head_to_json(const SignedTreeHead& head) {
  return boost::json::parse(tree_head_to_json(head)).as_object();
}

EntryFilter period_filter(const Arguments& args) {
  EntryFilter filter;
  const auto time_option = [&](const char* name) -> std::optional<TimeMicros> {
    const auto text = args.value(name);
    if (!text) return std::nullopt;
    const auto time = parse_time(*text);
    if (!time) throw UsageError(std::string("--") + name +
                                                " takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + *text + "'");
    return time;
  };
  filter.since = time_option("since");
  filter.until = time_option("until");
  // A date as --until means "up to and including that day".
  if (filter.until && args.value("until")->size() == 10) filter.until = *filter.until + 86'400'000'000LL;
  return filter;
}

}  // namespace pse::audit_cli
