#include "adapters/csv/csv_reader.hpp"

namespace pse::adapters::csv {

std::string_view CsvField::value(std::string& scratch) const {
  if (!has_doubled_quotes) return text;
  scratch.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    scratch.push_back(text[i]);
    if (text[i] == '"') ++i;  // the reader guarantees quotes come in pairs here
  }
  return scratch;
}

CsvReader::CsvReader(std::string_view input, char delimiter) : input_(input), delimiter_(delimiter) {
  if (input_.starts_with("\xEF\xBB\xBF")) {
    byte_order_mark_ = true;
    position_ = 3;
  }
}

bool CsvReader::at_record_end(std::size_t position) const {
  if (position >= input_.size()) return true;
  const char c = input_[position];
  return c == '\n' || (c == '\r' && position + 1 < input_.size() && input_[position + 1] == '\n') ||
         (c == '\r' && position + 1 == input_.size());
}

void CsvReader::consume_record_end() {
  if (position_ >= input_.size()) return;
  if (input_[position_] == '\r') ++position_;
  if (position_ < input_.size() && input_[position_] == '\n') ++position_;
  ++line_;
}

void CsvReader::skip_to_next_line() {
  while (position_ < input_.size() && input_[position_] != '\n') ++position_;
  record_end_ = position_;
  if (record_end_ > record_begin_ && input_[record_end_ - 1] == '\r') --record_end_;
  if (position_ < input_.size()) {
    ++position_;
    ++line_;
  }
}

bool CsvReader::read_quoted(CsvField& field, CsvSyntaxError& error) {
  const std::size_t open = position_;
  ++position_;  // the opening quote
  const std::size_t start = position_;
  while (true) {
    const std::size_t quote = input_.find('"', position_);
    if (quote == std::string_view::npos) {
      error = CsvSyntaxError{open, "quoted field is never closed"};
      // Count the lines swallowed so that later messages (there are none: this is the end
      // of the input) and the record's own line stay right.
      position_ = input_.size();
      return false;
    }
    for (std::size_t i = position_; i < quote; ++i) {
      if (input_[i] == '\n') ++line_;
    }
    if (quote + 1 < input_.size() && input_[quote + 1] == '"') {
      field.has_doubled_quotes = true;
      position_ = quote + 2;
      continue;
    }
    field.text = input_.substr(start, quote - start);
    position_ = quote + 1;
    if (position_ < input_.size() && input_[position_] != delimiter_ && !at_record_end(position_)) {
      error = CsvSyntaxError{position_, "text after a closing quote"};
      return false;
    }
    return true;
  }
}

CsvReader::Step CsvReader::next(std::vector<CsvField>& fields, CsvSyntaxError& error) {
  fields.clear();
  if (position_ >= input_.size()) return Step::end;
  record_begin_ = position_;
  record_line_ = line_;
  while (true) {
    CsvField field;
    field.offset = position_;
    if (position_ < input_.size() && input_[position_] == '"') {
      if (!read_quoted(field, error)) {
        skip_to_next_line();
        return Step::syntax_error;
      }
    } else {
      const std::size_t start = position_;
      while (position_ < input_.size()) {
        const char c = input_[position_];
        if (c == delimiter_ || c == '\n') break;
        if (c == '\r' && at_record_end(position_)) break;
        if (c == '"') {
          error = CsvSyntaxError{position_, "quote inside an unquoted field"};
          skip_to_next_line();
          return Step::syntax_error;
        }
        ++position_;
      }
      field.text = input_.substr(start, position_ - start);
    }
    fields.push_back(field);
    if (position_ < input_.size() && input_[position_] == delimiter_) {
      ++position_;
      continue;
    }
    record_end_ = position_;
    consume_record_end();
    return Step::record;
  }
}

}  // namespace pse::adapters::csv
