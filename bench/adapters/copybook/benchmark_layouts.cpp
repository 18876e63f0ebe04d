#include "benchmark_layouts.hpp"

#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"

#include <random>
#include <stdexcept>

namespace pse::legacy::bench {
namespace {

constexpr std::size_t fixed_fields = 167;
constexpr std::size_t fixed_size = 1341;

struct Field {
  std::string picture;
  std::size_t size;
};

/// One random field: 40% text, 25% zoned, 20% packed, 15% binary.
Field random_field(std::mt19937& random) {
  const auto pick = random() % 100;
  if (pick < 40) {
    const std::size_t length = 1 + random() % 20;
    return {"PIC X(" + std::to_string(length) + ")", length};
  }
  if (pick < 65) {
    const std::size_t digits = 1 + random() % 9;
    return {"PIC 9(" + std::to_string(digits) + ")", digits};
  }
  if (pick < 85) {
    const std::size_t digits = 1 + random() % 13;
    return {"PIC S9(" + std::to_string(digits) + ")V99 COMP-3", (digits + 2) / 2 + 1};
  }
  static const Field binary[] = {{"PIC S9(4) COMP", 2}, {"PIC S9(9) COMP", 4}, {"PIC S9(18) COMP", 8}};
  return binary[random() % 3];
}

/// A value for the elementary item `node`, varied with `seed`.
void add_value(const LayoutNode& node, std::mt19937& random, Record& record) {
  if (node.picture.category == PictureCategory::alphanumeric) {
    static const std::string words = "QUEBEC MONTREAL GATINEAU SHERBROOKE SAGUENAY LEVIS TROIS-RIVIERES RIMOUSKI ";
    const std::size_t length = random() % (node.size + 1);
    record.add_text(&node, words.substr(random() % (words.size() - length), length));
    return;
  }
  const int digits = node.usage == Usage::binary ? std::min(node.picture.digits, 18) : node.picture.digits;
  Int128 value = 0;
  for (int at = 0; at < digits; ++at) value = value * 10 + static_cast<int>(random() % 10);
  if (node.picture.is_signed && random() % 3 == 0) value = -value;
  record.add_decimal(&node, value, node.picture.scale);
}

void add_values(const LayoutNode& group, std::mt19937& random, Record& record) {
  for (const auto& child : group.children) {
    if (child->is_group) {
      record.add(EntryKind::group_begin, child.get(), 0);
      add_values(*child, random, record);
      record.add(EntryKind::group_end, child.get(), 0);
    } else if (!child->is_filler) {
      add_value(*child, random, record);
    }
  }
}

}  // namespace

std::string fixed_layout_copybook() {
  // Draw field lists until one lands exactly on 1,341 bytes with a short last text field.
  for (std::uint32_t seed = 1;; ++seed) {
    std::mt19937 random(seed);
    std::vector<Field> fields;
    std::size_t size = 0;
    for (std::size_t at = 0; at + 1 < fixed_fields; ++at) {
      fields.push_back(random_field(random));
      size += fields.back().size;
    }
    if (size >= fixed_size || fixed_size - size > 20) continue;
    fields.push_back({"PIC X(" + std::to_string(fixed_size - size) + ")", fixed_size - size});
    std::string text = "       01 EXP1-RECORD.\n";
    for (std::size_t at = 0; at < fields.size(); ++at) {
      if (at % 10 == 0) text += "          05 SECTION-" + std::to_string(at / 10 + 1) + ".\n";
      text += "             10 FIELD-" + std::to_string(at + 1) + " " + fields[at].picture + ".\n";
    }
    return text;
  }
}

std::string multi_segment_copybook() {
  return "       01 SEGMENT-RECORD.\n"
         "          05 SEGMENT-ID          PIC X.\n"
         "          05 COMPANY.\n"
         "             10 COMPANY-NAME     PIC X(30).\n"
         "             10 COMPANY-NEQ      PIC 9(10).\n"
         "             10 EMPLOYEES        PIC S9(7) COMP-3.\n"
         "             10 FOUNDED          PIC 9(4) COMP.\n"
         "          05 CONTACT REDEFINES COMPANY.\n"
         "             10 CONTACT-NAME     PIC X(20).\n"
         "             10 PHONE            PIC 9(10).\n"
         "          05 ACCOUNT REDEFINES COMPANY.\n"
         "             10 ACCOUNT-NO       PIC 9(8).\n"
         "             10 BALANCE          PIC S9(13)V99 COMP-3.\n"
         "             10 OPENED           PIC S9(9) COMP.\n";
}

std::string fixed_records(const std::string& copybook, std::size_t count) {
  auto layout = parse_copybook(copybook);
  if (!layout) throw std::runtime_error(layout.error().describe());
  RecordEncoder encoder(*layout);
  std::mt19937 random(7);
  std::string data, bytes;
  for (std::size_t at = 0; at < count; ++at) {
    Record record;
    add_values(layout->root(), random, record);
    if (auto error = encoder.encode(record, bytes)) throw std::runtime_error(error->describe());
    data += bytes;
  }
  return data;
}

std::string multi_segment_records(std::size_t count) {
  CopybookOptions options;
  options.selectors.push_back({"COMPANY", "SEGMENT-ID", {{"C", "COMPANY"}, {"P", "CONTACT"}, {"A", "ACCOUNT"}}});
  auto layout = parse_copybook(multi_segment_copybook(), options);
  if (!layout) throw std::runtime_error(layout.error().describe());
  RecordEncoder encoder(*layout);
  std::mt19937 random(11);
  std::string data, bytes;
  const char* ids[] = {"C", "P", "A"};
  const char* names[] = {"COMPANY", "CONTACT", "ACCOUNT"};
  for (std::size_t at = 0; at < count; ++at) {
    const std::size_t kind = random() % 3;
    Record record;
    record.add_text(layout->find("SEGMENT-ID"), ids[kind]);
    const LayoutNode* segment = layout->find(names[kind]);
    record.add(EntryKind::group_begin, segment, 0);
    add_values(*segment, random, record);
    record.add(EntryKind::group_end, segment, 0);
    if (auto error = encoder.encode(record, bytes)) throw std::runtime_error(error->describe());
    const std::size_t length = 1 + segment->size;  // the record ends with its segment
    data.push_back(static_cast<char>((length + 4) >> 8));
    data.push_back(static_cast<char>((length + 4) & 0xFF));
    data.append(2, '\0');
    data.append(bytes, 0, length);
  }
  return data;
}

}  // namespace pse::legacy::bench
