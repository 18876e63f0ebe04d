// histogram.hpp — a latency histogram with log-linear buckets (the HdrHistogram layout).
//
// Values (nanoseconds) below 128 have a bucket each; above, every power of two is split into
// 64 equal buckets, so a reported percentile is at most 1/64 (1.6 %) above the true value,
// whatever the scale, from 1 ns to hours, in a fixed 30 KiB of counters. Percentiles are read
// from the counts, never averaged from samples. Not thread-safe: one per worker, merged at the
// end.
#pragma once

#include <array>
#include <cstdint>

namespace pse::load {

class Histogram {
 public:
  void record(std::uint64_t value);
  void merge(const Histogram& other);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t max() const { return max_; }
  [[nodiscard]] std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  [[nodiscard]] double mean() const;
  /// The smallest bucket bound at or under which `quantile` (0–1] of the values lie; the exact
  /// maximum for quantile 1.
  [[nodiscard]] std::uint64_t percentile(double quantile) const;

 private:
  static constexpr int linear_bits_ = 7;                        // 128 exact buckets
  static constexpr std::uint64_t linear_limit_ = 1U << linear_bits_;
  static constexpr std::uint64_t sub_buckets_ = linear_limit_ / 2;  // 64 per power of two
  static constexpr std::size_t bucket_count_ = linear_limit_ + 58 * sub_buckets_;

  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t upper_bound_of(std::size_t index);

  std::array<std::uint64_t, bucket_count_> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  long double sum_ = 0;
};

}  // namespace pse::load
