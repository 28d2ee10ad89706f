#include "text_template.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ipc {

namespace {

// ---- expressions -------------------------------------------------------

struct Expr {
    enum class Kind { Number, Text, Name, Not, Negate, Binary, Call };
    Kind kind = Kind::Number;
    double number = 0;
    std::string text; // Text: the literal; Name: the name; Binary: the operator; Call: the function
    std::vector<Expr> args;
};

// An evaluated value, or nothing (a missing name, text in arithmetic).
using Value = std::optional<TemplateValue>;

bool truthy(const TemplateValue &v)
{
    if (const double *d = std::get_if<double>(&v)) return *d != 0 && !std::isnan(*d);
    return !std::get<std::string>(v).empty();
}

struct Evaluator {
    const TemplateLookup &lookup;
    std::vector<std::string> *missing;

    Value operator()(const Expr &e) const
    {
        switch (e.kind) {
        case Expr::Kind::Number: return e.number;
        case Expr::Kind::Text: return e.text;
        case Expr::Kind::Name: {
            auto v = lookup ? lookup(e.text) : std::nullopt;
            if (!v && missing) missing->push_back(e.text);
            return v;
        }
        case Expr::Kind::Not: {
            const Value v = (*this)(e.args[0]);
            if (!v) return std::nullopt;
            return truthy(*v) ? 0.0 : 1.0;
        }
        case Expr::Kind::Negate: {
            const Value v = (*this)(e.args[0]);
            if (!v || !std::holds_alternative<double>(*v)) return std::nullopt;
            return -std::get<double>(*v);
        }
        case Expr::Kind::Binary: return binary(e);
        case Expr::Kind::Call: return call(e);
        }
        return std::nullopt;
    }

    Value binary(const Expr &e) const
    {
        const std::string &op = e.text;
        if (op == "and" || op == "or") {
            const Value l = (*this)(e.args[0]);
            if (!l) return std::nullopt;
            if (truthy(*l) == (op == "or")) return truthy(*l) ? 1.0 : 0.0;
            const Value r = (*this)(e.args[1]);
            if (!r) return std::nullopt;
            return truthy(*r) ? 1.0 : 0.0;
        }
        const Value l = (*this)(e.args[0]);
        const Value r = (*this)(e.args[1]);
        if (!l || !r) return std::nullopt;
        if (op == "==" || op == "!=") {
            const bool same = *l == *r;
            return (same == (op == "==")) ? 1.0 : 0.0;
        }
        if (!std::holds_alternative<double>(*l) || !std::holds_alternative<double>(*r)) return std::nullopt;
        const double a = std::get<double>(*l), b = std::get<double>(*r);
        if (op == "+") return a + b;
        if (op == "-") return a - b;
        if (op == "*") return a * b;
        if (op == "/") return b == 0 ? Value() : Value(a / b);
        if (op == "<") return a < b ? 1.0 : 0.0;
        if (op == "<=") return a <= b ? 1.0 : 0.0;
        if (op == ">") return a > b ? 1.0 : 0.0;
        if (op == ">=") return a >= b ? 1.0 : 0.0;
        return std::nullopt;
    }

    Value call(const Expr &e) const
    {
        std::vector<double> a;
        for (const Expr &arg : e.args) {
            const Value v = (*this)(arg);
            if (!v || !std::holds_alternative<double>(*v)) return std::nullopt;
            a.push_back(std::get<double>(*v));
        }
        if (e.text == "min") return std::min(a[0], a[1]);
        if (e.text == "max") return std::max(a[0], a[1]);
        if (e.text == "round") return std::round(a[0]);
        if (e.text == "floor") return std::floor(a[0]);
        return std::nullopt;
    }
};

struct FunctionSpec {
    const char *name;
    std::size_t arity;
};
constexpr FunctionSpec kFunctions[] = {{"min", 2}, {"max", 2}, {"round", 1}, {"floor", 1}};

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

} // namespace

// ---- the template tree ---------------------------------------------------

struct TextTemplate::Node {
    enum class Kind { Sequence, Literal, Value, Choice };
    Kind kind = Kind::Sequence;
    std::string literal;
    Expr expr;
    int decimals = -1;
    std::vector<Node> children; // Sequence: the parts; Choice: then, else
};

namespace {

using Node = TextTemplate::Node;

// A recursive-descent parser over the whole source; `pos` is a byte index.
class Parser {
public:
    Parser(std::string_view src, const std::function<bool(std::string_view)> &known)
        : m_src(src), m_known(known)
    {
    }

    Result<Node> document()
    {
        auto seq = sequence(false);
        if (!seq) return seq;
        if (m_pos < m_src.size()) return error("unexpected '" + std::string(1, m_src[m_pos]) + "'");
        return seq;
    }

private:
    // "line 3, column 14: ..." (a one-line text: "at character 14: ...").
    std::unexpected<Error> error(const std::string &what) const
    {
        const std::size_t at = std::min(m_pos, m_src.size());
        if (m_src.find('\n') == std::string_view::npos)
            return fail(Errc::InvalidArgument, "at character " + std::to_string(at + 1) + ": " + what);
        const std::string_view before = m_src.substr(0, at);
        const auto line = std::count(before.begin(), before.end(), '\n') + 1;
        const std::size_t lastBreak = before.rfind('\n');
        const std::size_t column = lastBreak == std::string_view::npos ? at + 1 : at - lastBreak;
        return fail(Errc::InvalidArgument, "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
    }

    // Text and ${...} up to the end, or (inBranch) up to an unnested '|' or '}'.
    Result<Node> sequence(bool inBranch)
    {
        Node seq;
        std::string literal;
        auto flush = [&] {
            if (literal.empty()) return;
            Node n;
            n.kind = Node::Kind::Literal;
            n.literal = std::move(literal);
            literal.clear();
            seq.children.push_back(std::move(n));
        };
        while (m_pos < m_src.size()) {
            const char c = m_src[m_pos];
            if (inBranch && (c == '|' || c == '}')) break;
            if (m_src.substr(m_pos, 3) == "$${") {
                literal += "${";
                m_pos += 3;
                continue;
            }
            if (m_src.substr(m_pos, 2) == "${") {
                flush();
                m_pos += 2;
                auto n = placeholder();
                if (!n) return n;
                seq.children.push_back(std::move(*n));
                continue;
            }
            literal += c;
            ++m_pos;
        }
        flush();
        return seq;
    }

    // After "${": expr, then "}", ":N}" or "? A | B}".
    Result<Node> placeholder()
    {
        const Nest nest(m_depth);
        if (m_depth > kMaxDepth) return error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
        const std::size_t start = m_pos;
        auto e = expression();
        if (!e) return std::unexpected(e.error());
        skipSpace();
        Node n;
        n.expr = std::move(*e);
        if (peek() == '?') {
            ++m_pos;
            n.kind = Node::Kind::Choice;
            auto yes = sequence(true);
            if (!yes) return yes;
            Node no;
            if (peek() == '|') {
                ++m_pos;
                auto b = sequence(true);
                if (!b) return b;
                no = std::move(*b);
            }
            trimBranch(*yes);
            trimBranch(no);
            n.children.push_back(std::move(*yes));
            n.children.push_back(std::move(no));
        } else {
            n.kind = Node::Kind::Value;
            if (peek() == ':') {
                ++m_pos;
                skipSpace();
                const char d = peek();
                if (d == '_') n.decimals = kCodeFormat;
                else if (d >= '0' && d <= '6') n.decimals = d - '0';
                else return error("a format is a number of decimals (0 to 6) or '_' (a number in code)");
                ++m_pos;
                skipSpace();
            }
        }
        if (peek() != '}') {
            m_pos = std::max(m_pos, start);
            return error(m_pos >= m_src.size() ? "'${' is not closed by '}'" : "expected '}'");
        }
        ++m_pos;
        return n;
    }

    // "${x ? a | b}" reads as "a" or "b": the spaces around a branch are layout.
    static void trimBranch(Node &branch)
    {
        auto &parts = branch.children;
        const char *space = " \t\n";
        if (!parts.empty() && parts.front().kind == Node::Kind::Literal)
            parts.front().literal.erase(0, parts.front().literal.find_first_not_of(space));
        if (!parts.empty() && parts.back().kind == Node::Kind::Literal) {
            std::string &s = parts.back().literal;
            const std::size_t last = s.find_last_not_of(space);
            s.erase(last == std::string::npos ? 0 : last + 1);
        }
    }

    char peek() const { return m_pos < m_src.size() ? m_src[m_pos] : '\0'; }
    void skipSpace()
    {
        while (m_pos < m_src.size() && (m_src[m_pos] == ' ' || m_src[m_pos] == '\n' || m_src[m_pos] == '\t')) ++m_pos;
    }
    bool word(std::string_view w)
    {
        skipSpace();
        if (m_src.substr(m_pos, w.size()) != w) return false;
        const std::size_t end = m_pos + w.size();
        if (end < m_src.size() && isNameChar(m_src[end])) return false;
        m_pos = end;
        return true;
    }
    bool symbol(std::string_view s)
    {
        skipSpace();
        if (m_src.substr(m_pos, s.size()) != s) return false;
        m_pos += s.size();
        return true;
    }

    static Expr binaryOf(std::string op, Expr l, Expr r)
    {
        Expr e;
        e.kind = Expr::Kind::Binary;
        e.text = std::move(op);
        e.args.push_back(std::move(l));
        e.args.push_back(std::move(r));
        return e;
    }

    Result<Expr> expression() { return disjunction(); }

    Result<Expr> disjunction()
    {
        auto l = conjunction();
        while (l && word("or")) {
            auto r = conjunction();
            if (!r) return r;
            l = binaryOf("or", std::move(*l), std::move(*r));
        }
        return l;
    }

    Result<Expr> conjunction()
    {
        auto l = comparison();
        while (l && word("and")) {
            auto r = comparison();
            if (!r) return r;
            l = binaryOf("and", std::move(*l), std::move(*r));
        }
        return l;
    }

    Result<Expr> comparison()
    {
        auto l = sum();
        if (!l) return l;
        for (const char *op : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (!symbol(op)) continue;
            auto r = sum();
            if (!r) return r;
            return binaryOf(op, std::move(*l), std::move(*r));
        }
        return l;
    }

    Result<Expr> sum()
    {
        auto l = product();
        while (l) {
            skipSpace();
            const char c = peek();
            if (c != '+' && c != '-') break;
            ++m_pos;
            auto r = product();
            if (!r) return r;
            l = binaryOf(std::string(1, c), std::move(*l), std::move(*r));
        }
        return l;
    }

    Result<Expr> product()
    {
        auto l = unary();
        while (l) {
            skipSpace();
            const char c = peek();
            if (c != '*' && c != '/') break;
            ++m_pos;
            auto r = unary();
            if (!r) return r;
            l = binaryOf(std::string(1, c), std::move(*l), std::move(*r));
        }
        return l;
    }

    Result<Expr> unary()
    {
        const Nest nest(m_depth);
        if (m_depth > kMaxDepth) return error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
        if (word("not")) {
            auto a = unary();
            if (!a) return a;
            Expr e;
            e.kind = Expr::Kind::Not;
            e.args.push_back(std::move(*a));
            return e;
        }
        if (symbol("-")) {
            auto a = unary();
            if (!a) return a;
            Expr e;
            e.kind = Expr::Kind::Negate;
            e.args.push_back(std::move(*a));
            return e;
        }
        return primary();
    }

    Result<Expr> primary()
    {
        skipSpace();
        const char c = peek();
        Expr e;
        if (c == '(') {
            ++m_pos;
            auto inner = expression();
            if (!inner) return inner;
            if (!symbol(")")) return error("expected ')'");
            return inner;
        }
        if (c == '"') {
            const std::size_t close = m_src.find('"', m_pos + 1);
            if (close == std::string_view::npos) return error("a text in quotes is not closed");
            e.kind = Expr::Kind::Text;
            e.text = std::string(m_src.substr(m_pos + 1, close - m_pos - 1));
            m_pos = close + 1;
            return e;
        }
        if ((c >= '0' && c <= '9') || c == '.') {
            std::size_t end = m_pos;
            while (end < m_src.size() && ((m_src[end] >= '0' && m_src[end] <= '9') || m_src[end] == '.')) ++end;
            const std::string digits(m_src.substr(m_pos, end - m_pos));
            char *stop = nullptr;
            e.number = std::strtod(digits.c_str(), &stop);
            if (stop != digits.c_str() + digits.size()) return error("'" + digits + "' is not a number");
            e.kind = Expr::Kind::Number;
            m_pos = end;
            return e;
        }
        if (isNameStart(c)) {
            const std::size_t start = m_pos;
            while (m_pos < m_src.size() && isNameChar(m_src[m_pos])) ++m_pos;
            const std::string name(m_src.substr(start, m_pos - start));
            if (symbol("(")) return call(name, start);
            if (m_known && !m_known(name)) {
                m_pos = start;
                return error("unknown name '" + name + "'");
            }
            e.kind = Expr::Kind::Name;
            e.text = name;
            return e;
        }
        if (m_pos >= m_src.size()) return error("an expression is missing");
        return error("unexpected '" + std::string(1, c) + "' in an expression");
    }

    Result<Expr> call(const std::string &name, std::size_t start)
    {
        const FunctionSpec *fn = nullptr;
        for (const FunctionSpec &f : kFunctions)
            if (name == f.name) fn = &f;
        if (!fn) {
            m_pos = start;
            return error("unknown function '" + name + "' (known: min, max, round, floor)");
        }
        Expr e;
        e.kind = Expr::Kind::Call;
        e.text = name;
        do {
            auto a = expression();
            if (!a) return a;
            e.args.push_back(std::move(*a));
        } while (symbol(","));
        if (!symbol(")")) return error("expected ')' after the arguments of " + name);
        if (e.args.size() != fn->arity) {
            m_pos = start;
            return error(name + " takes " + std::to_string(fn->arity) + " argument(s)");
        }
        return e;
    }

    std::string_view m_src;
    const std::function<bool(std::string_view)> &m_known;
    std::size_t m_pos = 0;
    // Nesting of ${...} and of expressions: deeper is refused, so a hostile
    // file (a million '(') cannot exhaust the stack.
    static constexpr int kMaxDepth = 64;
    int m_depth = 0;
    struct Nest {
        int &depth;
        explicit Nest(int &d) : depth(d) { ++depth; }
        ~Nest() { --depth; }
        Nest(const Nest &) = delete;
        Nest &operator=(const Nest &) = delete;
    };
};

void collectNames(const Expr &e, std::vector<std::string> &out)
{
    if (e.kind == Expr::Kind::Name) out.push_back(e.text);
    for (const Expr &a : e.args) collectNames(a, out);
}

void collectNames(const Node &n, std::vector<std::string> &out)
{
    if (n.kind == Node::Kind::Value || n.kind == Node::Kind::Choice) collectNames(n.expr, out);
    for (const Node &c : n.children) collectNames(c, out);
}

void renderNode(const Node &n, const Evaluator &eval, std::string &out)
{
    switch (n.kind) {
    case Node::Kind::Literal: out += n.literal; return;
    case Node::Kind::Sequence:
        for (const Node &c : n.children) renderNode(c, eval, out);
        return;
    case Node::Kind::Value: {
        const Value v = eval(n.expr);
        if (!v) out += '?';
        else if (const double *d = std::get_if<double>(&*v)) out += formatTemplateNumber(*d, n.decimals);
        else out += std::get<std::string>(*v);
        return;
    }
    case Node::Kind::Choice: {
        const Value v = eval(n.expr);
        if (!v) {
            out += '?';
            return;
        }
        renderNode(n.children[truthy(*v) ? 0 : 1], eval, out);
        return;
    }
    }
}

} // namespace

std::string formatPlainNumber(double value)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", value);
    return buf;
}

std::string formatTemplateNumber(double value, int decimals)
{
    if (std::isnan(value)) return "?";
    char buf[64];
    if (decimals == kCodeFormat) {
        // As Python writes a literal: 50_000, 0.5.
        if (value != std::round(value) || std::fabs(value) >= 1e15) {
            std::snprintf(buf, sizeof buf, "%.15g", value);
            return buf;
        }
        std::snprintf(buf, sizeof buf, "%.0f", value);
        std::string s = buf;
        const std::size_t sign = s[0] == '-' ? 1 : 0;
        if (s.size() - sign > 4)
            for (std::ptrdiff_t i = std::ptrdiff_t(s.size()) - 3; i > std::ptrdiff_t(sign); i -= 3)
                s.insert(std::size_t(i), 1, '_');
        return s;
    }
    if (decimals < 0) {
        const double a = std::fabs(value);
        if (a >= 100 || value == std::round(value)) {
            decimals = 0;
        } else {
            // Three significant digits, without trailing zeros.
            std::snprintf(buf, sizeof buf, "%.3g", value);
            std::string s = buf;
            if (s.find('e') == std::string::npos) return s;
            decimals = 6;
        }
    }
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string s = buf;
    // Thousands separators in the whole part.
    const std::size_t sign = (s[0] == '-') ? 1 : 0;
    std::size_t dot = s.find('.');
    if (dot == std::string::npos) dot = s.size();
    for (std::ptrdiff_t i = std::ptrdiff_t(dot) - 3; i > std::ptrdiff_t(sign); i -= 3)
        s.insert(std::size_t(i), 1, ',');
    if (s == "-0") s = "0";
    return s;
}

TextTemplate::TextTemplate() = default;
TextTemplate::~TextTemplate() = default;
TextTemplate::TextTemplate(const TextTemplate &) = default;
TextTemplate &TextTemplate::operator=(const TextTemplate &) = default;
TextTemplate::TextTemplate(TextTemplate &&) noexcept = default;
TextTemplate &TextTemplate::operator=(TextTemplate &&) noexcept = default;

Result<TextTemplate> TextTemplate::parse(std::string_view text, const std::function<bool(std::string_view)> &known)
{
    Parser parser(text, known);
    auto root = parser.document();
    if (!root) return std::unexpected(root.error());
    TextTemplate t;
    t.m_source = std::string(text);
    t.m_root = std::make_shared<const Node>(std::move(*root));
    return t;
}

std::string TextTemplate::render(const TemplateLookup &lookup, std::vector<std::string> *missing) const
{
    if (!m_root) return m_source;
    std::string out;
    renderNode(*m_root, Evaluator{lookup, missing}, out);
    return out;
}

std::vector<std::string> TextTemplate::names() const
{
    std::vector<std::string> out;
    if (m_root) collectNames(*m_root, out);
    return out;
}

} // namespace ipc
