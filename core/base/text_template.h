// TextTemplate: a lesson's texts as templates over its parameters and its
// run's result, so what a person reads is true for the values in force.
//
// Syntax (chosen so that Python code and prose need no escaping: neither
// writes "${"):
//
//   ${expr}              the value, formatted: whole numbers with thousands
//                        separators (200,000), others to 3 significant
//                        digits, text as it is
//   ${expr:N}            a number with N decimals (0-6)
//   ${expr:_}            a number as code writes it: 50_000, 0.5 (Python twins)
//   ${expr ? A | B}      A if expr is true (non-zero, non-empty), else B;
//                        A and B are templates themselves (may hold ${...});
//                        "| B" may be left out. The white space at either
//                        end of A and B is layout and is dropped; '|' and
//                        '}' end a branch
//   $${                  a literal "${"
//
// An expression is arithmetic over names and numbers: + - * / ( ), the
// comparisons == != < <= > >=, `and`, `or`, `not`, "text" literals and the
// functions min(a, b), max(a, b), round(x), floor(x). A name is a
// parameter ("processes"; a switch is 0 or 1; a parameter with named
// choices is its name: ${op == "square" ? ...}) or a field of the run's
// result ("lost"). Arithmetic on text renders "?".
//
// parse() checks the syntax and, given the names that will exist, that
// every name is known; its errors say where (character, or line and
// column in a text of several lines). render() never
// fails on well-formed input: a name that has no value in this run (a
// result field of another mode) renders as "?" and is reported.
//
// Threads: any; objects are immutable after parse().
#pragma once

#include "result.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ipc {

// A value a template can show: a number or a text.
using TemplateValue = std::variant<double, std::string>;

// Looks a name up; nullopt if it has no value now.
using TemplateLookup = std::function<std::optional<TemplateValue>(std::string_view name)>;

class TextTemplate {
public:
    TextTemplate();
    ~TextTemplate();
    TextTemplate(const TextTemplate &);
    TextTemplate &operator=(const TextTemplate &);
    TextTemplate(TextTemplate &&) noexcept;
    TextTemplate &operator=(TextTemplate &&) noexcept;

    // `known` (if given) says whether a name may appear; an unknown name
    // is an error naming it and its place.
    [[nodiscard]] static Result<TextTemplate> parse(std::string_view text,
                                                    const std::function<bool(std::string_view)> &known = {});

    // The text for these values. Names without a value render as "?" and
    // are appended to `missing` when given.
    [[nodiscard]] std::string render(const TemplateLookup &lookup,
                                     std::vector<std::string> *missing = nullptr) const;

    // Every name the template reads, in order of appearance (with repeats).
    [[nodiscard]] std::vector<std::string> names() const;

    [[nodiscard]] const std::string &source() const noexcept { return m_source; }

    struct Node; // the parsed tree (text_template.cpp)

private:
    std::string m_source;
    std::shared_ptr<const Node> m_root;
};

// How ${x} shows a number: 200,000 / 63.8 / 0.0421; with kCodeFormat as
// ${x:_} does (50_000).
inline constexpr int kCodeFormat = -2;
[[nodiscard]] std::string formatTemplateNumber(double value, int decimals = -1);
// A number in an error message or a range: 32, 0.5, 1000000 (no separators,
// no trailing zeros: "[1, 32]", not "[1.000000, 32.000000]").
[[nodiscard]] std::string formatPlainNumber(double value);

} // namespace ipc
