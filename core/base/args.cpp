#include "args.h"

#include "text_template.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ipc {

Result<Args> Args::parse(const std::vector<std::string> &words,
                         const std::vector<std::string_view> &flags)
{
    Args a;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string &w = words[i];
        if (w.size() < 3 || w.compare(0, 2, "--") != 0)
            return fail(Errc::InvalidArgument, "unexpected argument '" + w + "' (options look like --name value)");
        std::string key = w.substr(2);
        std::string value;
        if (const auto eq = key.find('='); eq != std::string::npos) {
            value = key.substr(eq + 1);
            key.resize(eq);
        } else if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
            value = "1";
        } else {
            if (i + 1 >= words.size())
                return fail(Errc::InvalidArgument, "option --" + key + " needs a value");
            value = words[++i];
        }
        if (a.m_values.count(key))
            return fail(Errc::InvalidArgument, "option --" + key + " given twice");
        a.m_values.emplace(std::move(key), std::move(value));
    }
    return a;
}

Result<Args> Args::parse(int argc, char **argv, int first, const std::vector<std::string_view> &flags)
{
    std::vector<std::string> words;
    for (int i = first; i < argc; ++i) words.emplace_back(argv[i]);
    return parse(words, flags);
}

Args Args::of(std::map<std::string, std::string, std::less<>> values)
{
    Args a;
    a.m_values = std::move(values);
    return a;
}

bool Args::has(std::string_view key) const { return m_values.find(key) != m_values.end(); }

std::string Args::text(std::string_view key, std::string_view fallback) const
{
    auto it = m_values.find(key);
    return it == m_values.end() ? std::string(fallback) : it->second;
}

Result<std::int64_t> Args::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) const
{
    auto it = m_values.find(key);
    if (it == m_values.end()) return fallback;
    const std::string &s = it->second;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return fail(Errc::InvalidArgument, "--" + std::string(key) + " '" + s + "' is not a whole number");
    if (v < min || v > max)
        return fail(Errc::InvalidArgument, "--" + std::string(key) + " " + s + " is out of range [" +
                                               std::to_string(min) + ", " + std::to_string(max) + "]");
    return v;
}

Result<std::vector<std::int64_t>> Args::integers(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const
{
    std::vector<std::int64_t> out;
    const std::string all = text(key);
    for (std::size_t at = 0; at < all.size();) {
        const std::size_t end = std::min(all.find(',', at), all.size());
        const std::string item = all.substr(at, end - at);
        std::int64_t v = 0;
        const auto [stop, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || stop != item.data() + item.size() || v < min || v > max)
            return fail(Errc::InvalidArgument, "--" + std::string(key) + ": '" + item + "' is not a number in [" +
                                                   std::to_string(min) + ", " + std::to_string(max) + "]");
        out.push_back(v);
        at = end + 1;
    }
    return out;
}

Result<double> Args::real(std::string_view key, double fallback, double min, double max) const
{
    auto it = m_values.find(key);
    if (it == m_values.end()) return fallback;
    const std::string &s = it->second;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
        return fail(Errc::InvalidArgument, "--" + std::string(key) + " '" + s + "' is not a number");
    if (v < min || v > max)
        return fail(Errc::InvalidArgument, "--" + std::string(key) + " " + s + " is out of range [" +
                                               formatPlainNumber(min) + ", " + formatPlainNumber(max) + "]");
    return v;
}

Result<bool> Args::boolean(std::string_view key, bool fallback) const
{
    auto it = m_values.find(key);
    if (it == m_values.end()) return fallback;
    const std::string &s = it->second;
    if (s == "on" || s == "true" || s == "1" || s == "yes") return true;
    if (s == "off" || s == "false" || s == "0" || s == "no") return false;
    return fail(Errc::InvalidArgument, "--" + std::string(key) + " '" + s + "' must be on or off");
}

Result<std::string> Args::choice(std::string_view key, std::string_view fallback,
                                 const std::vector<std::string_view> &allowed) const
{
    std::string v = text(key, fallback);
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return fail(Errc::InvalidArgument, "--" + std::string(key) + " '" + v + "' must be one of: " + list);
}

Result<void> Args::allowOnly(const std::vector<std::string_view> &known) const
{
    for (const auto &[k, v] : m_values)
        if (std::find(known.begin(), known.end(), k) == known.end())
            return fail(Errc::InvalidArgument, "unknown option --" + k);
    return {};
}

} // namespace ipc
