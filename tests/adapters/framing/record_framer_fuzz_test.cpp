// Time-bounded fuzzing of the framer: random bytes in every format must frame into records that
// lie inside the data, in order, or stop on an error — never loop or read past the end.
#include "adapters/framing/record_framer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace pse::legacy {
namespace {

TEST(LegacyFramingFuzz, RandomBytesFrameInsideTheDataOrStopOnAnError) {
  std::mt19937 random(8);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  for (int iteration = 0; iteration < 200000 && std::chrono::steady_clock::now() < deadline; ++iteration) {
    std::string data(random() % 200, '\0');
    for (auto& c : data) c = static_cast<char>(random() % 4 == 0 ? 0 : random() % 256);  // zeros make plausible RDWs
    FramingOptions options;
    options.format = static_cast<RecordFormat>(random() % 3);
    options.record_length = 1 + random() % 16;
    options.rdw_byte_order = random() % 2 == 0 ? ByteOrder::big_endian : ByteOrder::little_endian;
    options.rdw_counts_itself = random() % 2 == 0;
    options.block_descriptors = random() % 4 == 0;
    options.max_record_length = 1 + random() % 300;
    RecordFramer framer(data, options);
    std::uint64_t previous_end = 0;
    for (std::size_t step = 0; step <= data.size() + 1; ++step) {
      auto next = framer.next();
      if (!next) {
        EXPECT_LE(next.error().byte_offset, data.size());
        break;
      }
      if (!next.value()) break;
      const Frame& frame = *next.value();
      ASSERT_GE(frame.bytes.data(), data.data());
      ASSERT_LE(frame.bytes.data() + frame.bytes.size(), data.data() + data.size());
      EXPECT_GE(frame.byte_offset, previous_end);
      previous_end = frame.byte_offset + frame.bytes.size();
      // A record of zero bytes consumes at least its descriptor or its newline, so the loop ends.
      ASSERT_LE(step, data.size()) << "the framer does not advance";
    }
  }
}

}  // namespace
}  // namespace pse::legacy
