// Args: "--key value" options for workers and the CLI, with typed getters
// whose errors name the option, the value and the accepted range.
#pragma once

#include "result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ipc {

class Args {
public:
    // Every element after the program name must be "--key value" or a
    // "--flag" listed in flags (which takes no value and reads as "1").
    [[nodiscard]] static Result<Args> parse(const std::vector<std::string> &words,
                                            const std::vector<std::string_view> &flags = {});
    [[nodiscard]] static Result<Args> parse(int argc, char **argv, int first = 1,
                                            const std::vector<std::string_view> &flags = {});
    // Values parsed elsewhere (the CLI's QCommandLineParser), for the
    // typed getters: option name -> its text.
    [[nodiscard]] static Args of(std::map<std::string, std::string, std::less<>> values);

    [[nodiscard]] bool has(std::string_view key) const;
    [[nodiscard]] Result<std::int64_t> integer(std::string_view key, std::int64_t fallback,
                                               std::int64_t min, std::int64_t max) const;
    // "3,4,5": whole numbers separated by commas, each within [min, max];
    // an absent key is an empty list.
    [[nodiscard]] Result<std::vector<std::int64_t>> integers(std::string_view key, std::int64_t min,
                                                             std::int64_t max) const;
    [[nodiscard]] Result<double> real(std::string_view key, double fallback, double min,
                                      double max) const;
    [[nodiscard]] std::string text(std::string_view key, std::string_view fallback = {}) const;
    // "on"/"off", "true"/"false", "1"/"0", "yes"/"no".
    [[nodiscard]] Result<bool> boolean(std::string_view key, bool fallback) const;
    // One of the given words.
    [[nodiscard]] Result<std::string> choice(std::string_view key, std::string_view fallback,
                                             const std::vector<std::string_view> &allowed) const;
    // InvalidArgument naming the first option not in known.
    [[nodiscard]] Result<void> allowOnly(const std::vector<std::string_view> &known) const;

    [[nodiscard]] const std::map<std::string, std::string, std::less<>> &all() const
    {
        return m_values;
    }

private:
    std::map<std::string, std::string, std::less<>> m_values;
};

} // namespace ipc
