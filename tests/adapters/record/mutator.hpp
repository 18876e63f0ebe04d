// Input mutation for the codecs' time-bounded fuzz tests (the gtest cousins of libFuzzer
// targets): byte flips, inserted tokens, deleted, duplicated and truncated ranges.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pse::adapters::testing {

class Mutator {
 public:
  Mutator(std::uint32_t seed, std::vector<std::string> tokens) : random_(seed), tokens_(std::move(tokens)) {}

  int pick(int bound) { return std::uniform_int_distribution<int>(0, bound - 1)(random_); }

  std::string mutate(std::string text) {
    const int rounds = 1 + pick(4);
    for (int i = 0; i < rounds; ++i) text = mutate_once(std::move(text));
    return text;
  }

  /// Random bytes, mostly drawn from the tokens so that the codec gets past its first check.
  std::string random_input(std::size_t max_size) {
    std::string text;
    const auto size = static_cast<std::size_t>(pick(static_cast<int>(max_size)));
    while (text.size() < size) {
      if (pick(3) == 0) {
        text.push_back(static_cast<char>(pick(256)));
      } else {
        text += token();
      }
    }
    return text;
  }

  const std::string& token() { return tokens_[static_cast<std::size_t>(pick(static_cast<int>(tokens_.size())))]; }

 private:
  std::size_t position(const std::string& text) {
    return text.empty() ? 0 : static_cast<std::size_t>(pick(static_cast<int>(text.size()) + 1));
  }

  std::string mutate_once(std::string text) {
    switch (pick(6)) {
      case 0:
        if (!text.empty()) text[std::min(position(text), text.size() - 1)] = static_cast<char>(pick(256));
        break;
      case 1: text.insert(position(text), token()); break;
      case 2: text.erase(position(text), static_cast<std::size_t>(pick(16))); break;
      case 3: {
        const std::size_t start = position(text);
        const std::string copy = text.substr(start, static_cast<std::size_t>(pick(200)));
        text.insert(position(text), copy);
        break;
      }
      case 4: text.resize(position(text)); break;
      default: text.insert(position(text), 1, token().empty() ? 'x' : token()[0]); break;
    }
    return text;
  }

  std::mt19937 random_;
  std::vector<std::string> tokens_;
};

/// Runs `body` until `budget` has passed or `max_iterations` ran; returns the iterations run.
template <typename Body>
int run_for(std::chrono::milliseconds budget, int max_iterations, Body&& body) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  int iterations = 0;
  while (iterations < max_iterations && std::chrono::steady_clock::now() < deadline) {
    body(iterations);
    ++iterations;
  }
  return iterations;
}

}  // namespace pse::adapters::testing
