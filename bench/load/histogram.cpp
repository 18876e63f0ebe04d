#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pse::load {

std::size_t Histogram::index_of(std::uint64_t value) {
  if (value < linear_limit_) return static_cast<std::size_t>(value);
  // Keep the 7 leading bits: the mantissa is in [64, 128), the shift names the power of two.
  const int leading_bit = 63 - std::countl_zero(value);
  const int shift = leading_bit - (linear_bits_ - 1);
  const std::uint64_t mantissa = value >> shift;
  return static_cast<std::size_t>(linear_limit_ + static_cast<std::uint64_t>(shift - 1) * sub_buckets_ +
                                  (mantissa - sub_buckets_));
}

std::uint64_t Histogram::upper_bound_of(std::size_t index) {
  if (index < linear_limit_) return index;
  const std::uint64_t offset = index - linear_limit_;
  const auto shift = static_cast<int>(offset / sub_buckets_ + 1);
  const std::uint64_t mantissa = offset % sub_buckets_ + sub_buckets_;
  return ((mantissa + 1) << shift) - 1;
}

void Histogram::record(std::uint64_t value) {
  ++counts_[index_of(value)];
  ++count_;
  max_ = std::max(max_, value);
  min_ = std::min(min_, value);
  sum_ += static_cast<long double>(value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < bucket_count_; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
  sum_ += other.sum_;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::percentile(double quantile) const {
  if (count_ == 0) return 0;
  if (quantile >= 1.0) return max_;
  // The rank of the value asked for, 1-based: p99 of 1000 values is the 990th.
  const auto wanted = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count_; ++i) {
    seen += counts_[i];
    if (seen >= wanted) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace pse::load
