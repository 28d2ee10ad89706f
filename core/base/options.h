// Typed options: a struct whose fields are a program's "--key value"
// options, written once and used by both ends of a command line.
//
// The struct lists its fields in one member template, each with its key,
// its bounds and its word for the help; the initial values are the
// defaults:
//
//     struct ProducerOptions {
//         static constexpr std::string_view kRole = "producer";
//         std::string queue = "queue";
//         std::int64_t items = 1000;
//         template <class F> void fields(F &f) {
//             f.text("queue", queue);
//             f.integer("items", items, 0, 1'000'000);
//         }
//     };
//
// toArgs() writes the options that differ from the defaults (the engine's
// spawn arguments), parseOptions() reads them back with the defaults for
// the rest and refuses an unknown key or a value out of bounds, naming the
// option (the worker), usage() is the line `ipc-worker --help` prints.
// Fields may be integers, reals, booleans, text, optional text, one of
// some words, lists of integers, or a nested struct whose keys take a
// prefix (f.group("pipe", pipe) reads --pipe-fd, --pipe-mode, ...; an
// empty prefix shares fields between structs).
// A struct with `Result<void> check() const` has it called after parsing,
// for what involves more than one field.
#pragma once

#include "args.h"
#include "result.h"

#include <charconv>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipc {

namespace options_detail {

// The shortest text that reads back as the same double.
inline std::string formatReal(double v)
{
    char text[64];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, v);
    return ec == std::errc() ? std::string(text, end) : std::to_string(v);
}

inline std::string joined(std::initializer_list<std::string_view> words, char separator)
{
    std::string out;
    for (std::string_view w : words) {
        if (!out.empty()) out += separator;
        out += w;
    }
    return out;
}

inline std::string listText(const std::vector<std::int64_t> &values)
{
    std::string out;
    for (std::int64_t v : values) {
        if (!out.empty()) out += ',';
        out += std::to_string(v);
    }
    return out;
}

// What every walk over the fields shares: a group's fields are walked with
// its prefix on their keys.
template <class Walker>
class Walk {
public:
    template <class Group>
    void group(std::string_view prefix, Group &group)
    {
        const std::size_t outer = m_prefix.size();
        if (!prefix.empty()) m_prefix += std::string(prefix) + "-";
        group.fields(static_cast<Walker &>(*this));
        m_prefix.resize(outer);
    }

protected:
    [[nodiscard]] std::string prefixed(std::string_view key) const { return m_prefix + std::string(key); }

private:
    std::string m_prefix;
};

// Walks the fields as (key, value as text) pairs: what toArgs compares.
class Writer : public Walk<Writer> {
public:
    struct Entry {
        std::string key;
        std::string value;
        bool present;
    };
    std::vector<Entry> entries;

    template <std::integral T>
    void integer(std::string_view key, const T &field, std::int64_t, std::int64_t, std::string_view = {})
    {
        add(key, std::to_string(std::int64_t(field)));
    }
    void real(std::string_view key, const double &field, double, double, std::string_view = {})
    {
        add(key, formatReal(field));
    }
    void boolean(std::string_view key, const bool &field) { add(key, field ? "on" : "off"); }
    void text(std::string_view key, const std::string &field, std::string_view = {})
    {
        add(key, field, !field.empty());
    }
    void text(std::string_view key, const std::optional<std::string> &field, std::string_view = {})
    {
        add(key, field.value_or(std::string()), field.has_value());
    }
    void choice(std::string_view key, const std::string &field, std::initializer_list<std::string_view>)
    {
        add(key, field);
    }
    void integers(std::string_view key, const std::vector<std::int64_t> &field, std::int64_t, std::int64_t,
                  std::string_view = {})
    {
        add(key, listText(field), !field.empty());
    }

private:
    void add(std::string_view key, std::string value, bool present = true)
    {
        entries.push_back({prefixed(key), std::move(value), present});
    }
};

// Reads each field from Args, keeping its value when the key is absent.
class Reader : public Walk<Reader> {
public:
    explicit Reader(const Args &args) : m_args(args) {}
    std::vector<std::string> keys; // every key the struct knows
    std::optional<Error> error;    // the first bad value

    template <std::integral T>
    void integer(std::string_view key, T &field, std::int64_t min, std::int64_t max, std::string_view = {})
    {
        if (auto v = m_args.integer(name(key), std::int64_t(field), min, max)) field = T(*v);
        else note(v.error());
    }
    void real(std::string_view key, double &field, double min, double max, std::string_view = {})
    {
        if (auto v = m_args.real(name(key), field, min, max)) field = *v;
        else note(v.error());
    }
    void boolean(std::string_view key, bool &field)
    {
        if (auto v = m_args.boolean(name(key), field)) field = *v;
        else note(v.error());
    }
    void text(std::string_view key, std::string &field, std::string_view = {})
    {
        const std::string k = name(key);
        if (m_args.has(k)) field = m_args.text(k);
    }
    void text(std::string_view key, std::optional<std::string> &field, std::string_view = {})
    {
        const std::string k = name(key);
        if (m_args.has(k)) field = m_args.text(k);
    }
    void choice(std::string_view key, std::string &field, std::initializer_list<std::string_view> allowed)
    {
        if (auto v = m_args.choice(name(key), field, allowed)) field = std::move(*v);
        else note(v.error());
    }
    void integers(std::string_view key, std::vector<std::int64_t> &field, std::int64_t min, std::int64_t max,
                  std::string_view = {})
    {
        const std::string k = name(key);
        if (!m_args.has(k)) return;
        if (auto v = m_args.integers(k, min, max)) field = std::move(*v);
        else note(v.error());
    }

private:
    std::string name(std::string_view key)
    {
        keys.push_back(prefixed(key));
        return keys.back();
    }
    void note(const Error &e)
    {
        if (!error) error = e;
    }
    const Args &m_args;
};

// Writes "--key WORD" per field, for the help.
class Usage : public Walk<Usage> {
public:
    std::string line;

    template <std::integral T>
    void integer(std::string_view key, const T &, std::int64_t, std::int64_t, std::string_view word = "N")
    {
        add(key, word);
    }
    void real(std::string_view key, const double &, double, double, std::string_view word = "X")
    {
        add(key, word);
    }
    void boolean(std::string_view key, const bool &) { add(key, "on|off"); }
    void text(std::string_view key, const std::string &, std::string_view word = "NAME") { add(key, word); }
    void text(std::string_view key, const std::optional<std::string> &, std::string_view word = "NAME")
    {
        add(key, word, true);
    }
    void choice(std::string_view key, const std::string &, std::initializer_list<std::string_view> allowed)
    {
        add(key, joined(allowed, '|'));
    }
    void integers(std::string_view key, const std::vector<std::int64_t> &, std::int64_t, std::int64_t,
                  std::string_view word = "N,..")
    {
        add(key, word);
    }

private:
    void add(std::string_view key, std::string_view word, bool optional = false)
    {
        if (!line.empty()) line += ' ';
        line += (optional ? "[--" : "--") + prefixed(key) + " " + std::string(word) + (optional ? "]" : "");
    }
};

} // namespace options_detail

// "--key value" for each option that differs from the struct's default.
template <class Options>
[[nodiscard]] std::vector<std::string> toArgs(Options options)
{
    options_detail::Writer set, unset;
    options.fields(set);
    Options defaults{};
    defaults.fields(unset);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < set.entries.size(); ++i) {
        const auto &e = set.entries[i];
        const auto &d = unset.entries[i];
        if (e.present && (!d.present || e.value != d.value)) out.insert(out.end(), {"--" + e.key, e.value});
    }
    return out;
}

// The options in `args`: the defaults where absent; InvalidArgument naming
// the option for an unknown key or a bad value, then check()'s verdict.
template <class Options>
[[nodiscard]] Result<Options> parseOptions(const Args &args)
{
    Options options{};
    options_detail::Reader reader(args);
    options.fields(reader);
    const std::vector<std::string_view> known(reader.keys.begin(), reader.keys.end());
    if (auto ok = args.allowOnly(known); !ok) return std::unexpected(ok.error());
    if (reader.error) return std::unexpected(*reader.error);
    if constexpr (requires { options.check(); }) {
        if (auto ok = options.check(); !ok) return std::unexpected(ok.error());
    }
    return options;
}

// "--queue NAME --items N ...", one word per option.
template <class Options>
[[nodiscard]] std::string usage()
{
    Options options{};
    options_detail::Usage u;
    options.fields(u);
    return u.line;
}

} // namespace ipc
