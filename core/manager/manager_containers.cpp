#include "manager_containers.h"

#include <QCborMap>

#include <algorithm>
#include <cmath>
#include <compare>

namespace ipc::manager::server {

// ---- arguments and messages -------------------------------------------

QCborValue arg(const Request &req, qsizetype i)
{
    return req.size() > i ? req.at(i) : QCborValue(nullptr);
}

Result<std::int64_t> intArg(const Request &req, qsizetype i, const char *what)
{
    if (req.size() <= i || !req.at(i).isInteger())
        return fail(Errc::InvalidArgument, std::string("request needs an integer ") + what);
    return req.at(i).toInteger();
}

std::string shortText(const QCborValue &v)
{
    std::string s = v.toDiagnosticNotation().toStdString();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

std::unexpected<Error> wrongKind(Target t, Op op)
{
    const std::string_view name = opName(op);
    return fail(Errc::InvalidArgument, "'" + std::string(name) + "' does not apply to " +
                                           std::string(kindName(t.kind)) + " '" + t.name + "'");
}

// ---- Python's == and < ------------------------------------------------

namespace {

// Python's bool is an int: True == 1 and True < 2.
bool isNumber(const QCborValue &v)
{
    return v.isInteger() || v.isDouble() || v.isBool();
}

// long double holds every int64 exactly here (x86-64 and AArch64 Linux),
// so an int and a float compare by value, as Python's do.
long double number(const QCborValue &v)
{
    if (v.isInteger()) return static_cast<long double>(v.toInteger());
    if (v.isBool()) return v.toBool() ? 1.0L : 0.0L;
    return static_cast<long double>(v.toDouble());
}

int sign(std::strong_ordering o)
{
    return o < 0 ? -1 : (o > 0 ? 1 : 0);
}

// NaN is equal to nothing (Python); for sorting it goes after every number.
int compareNumbers(const QCborValue &a, const QCborValue &b)
{
    const long double x = number(a);
    const long double y = number(b);
    const bool xNan = std::isnan(x);
    const bool yNan = std::isnan(y);
    if (xNan || yNan) return int(xNan) - int(yNan);
    return x < y ? -1 : (x > y ? 1 : 0);
}

int compareStrings(const QCborValue &a, const QCborValue &b)
{
    // By code point, as Python; QString's own order is by UTF-16 unit.
    const QList<uint> x = a.toString().toUcs4();
    const QList<uint> y = b.toString().toUcs4();
    return sign(std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end()));
}

int compareBytes(const QCborValue &a, const QCborValue &b)
{
    const QByteArray x = a.toByteArray();
    const QByteArray y = b.toByteArray();
    const auto *px = reinterpret_cast<const unsigned char *>(x.constData());
    const auto *py = reinterpret_cast<const unsigned char *>(y.constData());
    return sign(std::lexicographical_compare_three_way(px, px + x.size(), py, py + y.size()));
}

bool mapsEqual(const QCborMap &a, const QCborMap &b)
{
    if (a.size() != b.size()) return false;
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        auto other = b.constFind(it.key());
        if (other == b.cend() || !pyEqual(it.value(), other.value())) return false;
    }
    return true;
}

} // namespace

bool pyEqual(const QCborValue &a, const QCborValue &b)
{
    if (isNumber(a) && isNumber(b)) {
        const long double x = number(a);
        const long double y = number(b);
        return x == y; // NaN: false
    }
    if (a.type() != b.type()) return false;
    if (a.isArray()) {
        const QCborArray x = a.toArray();
        const QCborArray y = b.toArray();
        if (x.size() != y.size()) return false;
        for (qsizetype i = 0; i < x.size(); ++i)
            if (!pyEqual(x.at(i), y.at(i))) return false;
        return true;
    }
    if (a.isMap()) return mapsEqual(a.toMap(), b.toMap());
    return a.compare(b) == 0; // strings, bytes, null, tags: same type, same content
}

std::size_t pyHash(const QCborValue &v)
{
    if (isNumber(v)) {
        // Equal numbers hash as the one int64 they equal; a number no
        // int64 equals (1.5, 2^70) by its double.
        const long double x = number(v);
        if (std::isnan(x)) return 0x7ff8; // every NaN alike, whatever its bits
        constexpr long double kTwo63 = 9223372036854775808.0L;
        if (x >= -kTwo63 && x < kTwo63 && x == static_cast<long double>(static_cast<std::int64_t>(x)))
            return qHash(static_cast<qint64>(x));
        return qHash(v.isDouble() ? v.toDouble() : double(x));
    }
    if (v.isArray()) {
        std::size_t h = 0x9e3779b9u;
        for (const QCborValue &e : v.toArray()) h = h * 31 + pyHash(e);
        return h;
    }
    if (v.isMap()) { // mapsEqual: keys as they are, values by pyEqual; any order
        std::size_t h = 0;
        const QCborMap m = v.toMap();
        for (auto it = m.cbegin(); it != m.cend(); ++it) h += qHash(it.key()) * 31 + pyHash(it.value());
        return h;
    }
    return qHash(v);
}

std::optional<int> pyCompare(const QCborValue &a, const QCborValue &b)
{
    if (isNumber(a) && isNumber(b)) return compareNumbers(a, b);
    if (a.isString() && b.isString()) return compareStrings(a, b);
    if (a.isByteArray() && b.isByteArray()) return compareBytes(a, b);
    if (a.isArray() && b.isArray()) {
        // As Python's lists: the first elements that differ decide.
        const QCborArray x = a.toArray();
        const QCborArray y = b.toArray();
        const qsizetype n = std::min(x.size(), y.size());
        for (qsizetype i = 0; i < n; ++i)
            if (!pyEqual(x.at(i), y.at(i))) return pyCompare(x.at(i), y.at(i));
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    return std::nullopt;
}

// ---- OrderedMap ---------------------------------------------------------

const QCborValue *OrderedMap::find(const QCborValue &key) const
{
    auto it = m_index.find(key);
    return it == m_index.end() ? nullptr : &it->second->second;
}

void OrderedMap::set(const QCborValue &key, QCborValue value)
{
    if (auto it = m_index.find(key); it != m_index.end()) {
        it->second->second = std::move(value);
        return;
    }
    m_entries.emplace_back(key, std::move(value));
    m_index.emplace(key, std::prev(m_entries.end()));
}

std::optional<QCborValue> OrderedMap::take(const QCborValue &key)
{
    auto it = m_index.find(key);
    if (it == m_index.end()) return std::nullopt;
    QCborValue value = std::move(it->second->second);
    m_entries.erase(it->second);
    m_index.erase(it);
    return value;
}

std::optional<OrderedMap::Entry> OrderedMap::takeLast()
{
    if (m_entries.empty()) return std::nullopt;
    Entry last = std::move(m_entries.back());
    m_index.erase(last.first);
    m_entries.pop_back();
    return last;
}

void OrderedMap::clear()
{
    m_index.clear();
    m_entries.clear();
}

// ---- dict and Namespace -------------------------------------------------

namespace {

std::unexpected<Error> missing(Target t, const QCborValue &key)
{
    if (t.kind == Kind::Namespace)
        return fail(Errc::NotFound, "Namespace '" + t.name + "' has no attribute '" +
                                        key.toString().toStdString() + "'");
    return fail(Errc::NotFound, "key " + shortText(key) + " is not in dict '" + t.name + "'");
}

bool dictOnly(Op op)
{
    return op == Op::Values || op == Op::PopItem || op == Op::SetDefault || op == Op::PopOr;
}

bool takesKey(Op op)
{
    return op == Op::Get || op == Op::GetOr || op == Op::Set || op == Op::Pop ||
           op == Op::Contains || op == Op::SetDefault || op == Op::PopOr;
}

Result<QCborValue> update(OrderedMap &map, Target t, const QCborValue &entries)
{
    if (!entries.isMap())
        return fail(Errc::InvalidArgument, "update of " + std::string(kindName(t.kind)) + " '" +
                                               t.name + "' needs a map, not " + shortText(entries));
    const QCborMap m = entries.toMap();
    if (t.kind == Kind::Namespace)
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            if (!it.key().isString())
                return fail(Errc::InvalidArgument,
                            "Namespace '" + t.name + "' attribute names are strings");
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        map.set(it.key(), it.value());
    return QCborValue(nullptr);
}

} // namespace

Result<QCborValue> mapRequest(OrderedMap &map, Target t, Op op, const Request &req)
{
    if (t.kind == Kind::Namespace && dictOnly(op)) return wrongKind(t, op);
    const QCborValue key = arg(req, 2);
    if (t.kind == Kind::Namespace && takesKey(op) && !key.isString())
        return fail(Errc::InvalidArgument,
                    "Namespace '" + t.name + "' attribute names are strings");
    switch (op) {
    case Op::Get:
        if (const QCborValue *v = map.find(key)) return *v;
        return missing(t, key);
    case Op::GetOr:
        if (const QCborValue *v = map.find(key)) return *v;
        return arg(req, 3);
    case Op::Set:
        map.set(key, arg(req, 3));
        return QCborValue(nullptr);
    case Op::Pop:
    case Op::PopOr: {
        if (std::optional<QCborValue> v = map.take(key)) return std::move(*v);
        if (op == Op::PopOr) return arg(req, 3);
        return missing(t, key);
    }
    case Op::SetDefault: {
        if (const QCborValue *v = map.find(key)) return *v;
        map.set(key, arg(req, 3));
        return arg(req, 3);
    }
    case Op::PopItem: {
        std::optional<OrderedMap::Entry> last = map.takeLast();
        if (!last) return fail(Errc::NotFound, "popitem(): dict '" + t.name + "' is empty");
        return QCborValue(QCborArray{std::move(last->first), std::move(last->second)});
    }
    case Op::Contains:
        return QCborValue(map.contains(key));
    case Op::Keys:
    case Op::Values: {
        QCborArray out;
        for (const auto &[k, v] : map)
            out.append(op == Op::Keys ? k : v);
        return QCborValue(std::move(out));
    }
    case Op::Items: {
        QCborMap m;
        for (const auto &[k, v] : map)
            m.insert(k, v);
        return QCborValue(std::move(m));
    }
    case Op::Update:
        return update(map, t, key);
    case Op::Len:
        return QCborValue(qint64(map.size()));
    case Op::Clear:
        map.clear();
        return QCborValue(nullptr);
    default:
        return wrongKind(t, op);
    }
}

// ---- list and Array -----------------------------------------------------

namespace {

using List = std::vector<QCborValue>;

std::string what(Target t)
{
    return std::string(kindName(t.kind)) + " '" + t.name + "'";
}

// An existing element: negative counts from the end; out of range is
// InvalidArgument (IndexError).
Result<std::size_t> elementIndex(const List &list, Target t, const Request &req, qsizetype at)
{
    auto i = intArg(req, at, "index");
    if (!i) return std::unexpected(i.error());
    const auto n = std::int64_t(list.size());
    const std::int64_t k = *i < 0 ? *i + n : *i;
    if (k < 0 || k >= n)
        return fail(Errc::InvalidArgument, what(t) + ": index " + std::to_string(*i) +
                                               " out of range for " + std::to_string(n) + " items");
    return std::size_t(k);
}

// A slice bound: null (or absent) = the end it stands for.
Result<std::optional<std::int64_t>> boundArg(const Request &req, qsizetype at, Target t)
{
    const QCborValue v = arg(req, at);
    if (v.isNull() || v.isUndefined()) return std::optional<std::int64_t>{};
    if (!v.isInteger())
        return fail(Errc::InvalidArgument,
                    what(t) + ": slice indices must be integers or null, not " + shortText(v));
    return std::optional<std::int64_t>(v.toInteger());
}

// Python's clamping of a bound to [0, n].
std::size_t clampBound(std::int64_t i, std::size_t n)
{
    const auto size = std::int64_t(n);
    if (i < 0) i = std::max<std::int64_t>(i + size, 0);
    return std::size_t(std::min(i, size));
}

struct Range {
    std::size_t begin;
    std::size_t end;
};

Result<Range> sliceArgs(const List &list, Target t, const Request &req, qsizetype at)
{
    auto start = boundArg(req, at, t);
    if (!start) return std::unexpected(start.error());
    auto stop = boundArg(req, at + 1, t);
    if (!stop) return std::unexpected(stop.error());
    const std::size_t b = *start ? clampBound(**start, list.size()) : 0;
    const std::size_t e = *stop ? clampBound(**stop, list.size()) : list.size();
    return Range{b, std::max(b, e)};
}

QCborArray toArray(List::const_iterator b, List::const_iterator e)
{
    QCborArray out;
    for (; b != e; ++b)
        out.append(*b);
    return out;
}

// Stable bottom-up merge sort. Not std::stable_sort: the comparator stops
// being a strict weak order as soon as two values cannot be ordered, and
// the standard algorithms make that undefined behaviour; this one only
// ever reads inside its ranges, whatever the comparator says.
template <class Less> void mergeSort(List &v, Less less)
{
    List buffer(v.size());
    for (std::size_t width = 1; width < v.size(); width *= 2) {
        for (std::size_t lo = 0; lo < v.size(); lo += 2 * width) {
            const std::size_t mid = std::min(lo + width, v.size());
            const std::size_t hi = std::min(lo + 2 * width, v.size());
            std::size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                buffer[k++] = less(v[j], v[i]) ? std::move(v[j++]) : std::move(v[i++]);
            while (i < mid)
                buffer[k++] = std::move(v[i++]);
            while (j < hi)
                buffer[k++] = std::move(v[j++]);
        }
        v.swap(buffer);
    }
}

Result<QCborValue> sortList(List &list, Target t, const QCborValue &reverseArg)
{
    if (!reverseArg.isBool() && !reverseArg.isNull() && !reverseArg.isUndefined())
        return fail(Errc::InvalidArgument,
                    what(t) + ": sort(reverse) needs a bool, not " + shortText(reverseArg));
    const bool reverse = reverseArg.toBool(false);
    std::optional<std::pair<QCborValue, QCborValue>> unorderable;
    // Any two values that cannot be ordered are compared at some point:
    // a comparison sort compares every pair that ends up adjacent, and a
    // list holding such a pair has one adjacent somewhere.
    auto less = [&](const QCborValue &a, const QCborValue &b) {
        const std::optional<int> c = reverse ? pyCompare(b, a) : pyCompare(a, b);
        if (!c) {
            if (!unorderable) unorderable.emplace(a, b);
            return false;
        }
        return *c < 0;
    };
    List sorted = list;
    mergeSort(sorted, less);
    if (unorderable)
        return fail(Errc::InvalidArgument,
                    "sort of " + what(t) + ": " + shortText(unorderable->first) + " and " +
                        shortText(unorderable->second) +
                        " cannot be ordered (Python: TypeError); the list is unchanged");
    list.swap(sorted);
    return QCborValue(nullptr);
}

Result<QCborValue> indexOf(const List &list, Target t, const Request &req)
{
    auto r = sliceArgs(list, t, req, 3);
    if (!r) return std::unexpected(r.error());
    const QCborValue value = arg(req, 2);
    for (std::size_t i = r->begin; i < r->end; ++i)
        if (pyEqual(list[i], value)) return QCborValue(qint64(i));
    return fail(Errc::ValueError, shortText(value) + " is not in " + what(t) +
                                      (r->begin == 0 && r->end == list.size()
                                           ? std::string()
                                           : " between " + std::to_string(r->begin) + " and " +
                                                 std::to_string(r->end)));
}

Result<QCborValue> setSlice(List &list, Target t, const Request &req)
{
    auto r = sliceArgs(list, t, req, 2);
    if (!r) return std::unexpected(r.error());
    const QCborValue values = arg(req, 4);
    if (!values.isArray())
        return fail(Errc::InvalidArgument,
                    what(t) + ": a slice is assigned an array, not " + shortText(values));
    const QCborArray a = values.toArray();
    if (t.kind == Kind::Array && std::size_t(a.size()) != r->end - r->begin)
        return fail(Errc::InvalidArgument,
                    what(t) + " has a fixed length: slice [" + std::to_string(r->begin) + ":" +
                        std::to_string(r->end) + "] needs " + std::to_string(r->end - r->begin) +
                        " values, not " + std::to_string(a.size()));
    List replacement(a.cbegin(), a.cend());
    const auto b = list.begin() + std::ptrdiff_t(r->begin);
    list.erase(b, list.begin() + std::ptrdiff_t(r->end));
    list.insert(list.begin() + std::ptrdiff_t(r->begin), replacement.begin(), replacement.end());
    return QCborValue(nullptr);
}

// What an Array (fixed length, Python's manager.Array) allows.
bool arrayOp(Op op)
{
    return op == Op::At || op == Op::SetAt || op == Op::Len || op == Op::All || op == Op::Slice ||
           op == Op::SetSlice;
}

} // namespace

Result<QCborValue> listRequest(List &list, Target t, Op op, const Request &req)
{
    if (t.kind == Kind::Array && !arrayOp(op)) return wrongKind(t, op);
    const QCborValue a2 = arg(req, 2);
    switch (op) {
    case Op::Append:
        list.push_back(a2);
        return QCborValue(nullptr);
    case Op::At:
    case Op::SetAt:
    case Op::PopAt: {
        if (op == Op::PopAt && list.empty())
            return fail(Errc::InvalidArgument, "pop from empty " + what(t));
        auto i = elementIndex(list, t, req, 2);
        if (!i) return std::unexpected(i.error());
        if (op == Op::At) return list[*i];
        if (op == Op::SetAt) {
            list[*i] = arg(req, 3);
            return QCborValue(nullptr);
        }
        QCborValue v = std::move(list[*i]);
        list.erase(list.begin() + std::ptrdiff_t(*i));
        return v;
    }
    case Op::Extend:
        if (!a2.isArray())
            return fail(Errc::InvalidArgument, "extend of " + what(t) + " needs an array");
        for (const QCborValue &v : a2.toArray())
            list.push_back(v);
        return QCborValue(nullptr);
    case Op::All:
        return QCborValue(toArray(list.cbegin(), list.cend()));
    case Op::Count:
        return QCborValue(qint64(
            std::ranges::count_if(list, [&](const QCborValue &v) { return pyEqual(v, a2); })));
    case Op::Index:
        return indexOf(list, t, req);
    case Op::Remove: {
        auto it = std::ranges::find_if(list, [&](const QCborValue &v) { return pyEqual(v, a2); });
        if (it == list.end())
            return fail(Errc::ValueError, "remove(x): " + shortText(a2) + " is not in " + what(t));
        list.erase(it);
        return QCborValue(nullptr);
    }
    case Op::Insert: {
        auto i = intArg(req, 2, "index");
        if (!i) return std::unexpected(i.error());
        list.insert(list.begin() + std::ptrdiff_t(clampBound(*i, list.size())), arg(req, 3));
        return QCborValue(nullptr);
    }
    case Op::Reverse:
        std::ranges::reverse(list);
        return QCborValue(nullptr);
    case Op::Sort:
        return sortList(list, t, a2);
    case Op::Slice: {
        auto r = sliceArgs(list, t, req, 2);
        if (!r) return std::unexpected(r.error());
        const auto b = list.cbegin();
        return QCborValue(toArray(b + std::ptrdiff_t(r->begin), b + std::ptrdiff_t(r->end)));
    }
    case Op::SetSlice:
        return setSlice(list, t, req);
    case Op::DelSlice: {
        auto r = sliceArgs(list, t, req, 2);
        if (!r) return std::unexpected(r.error());
        list.erase(list.begin() + std::ptrdiff_t(r->begin), list.begin() + std::ptrdiff_t(r->end));
        return QCborValue(nullptr);
    }
    case Op::Len:
        return QCborValue(qint64(list.size()));
    case Op::Clear:
        list.clear();
        return QCborValue(nullptr);
    default:
        return wrongKind(t, op);
    }
}

} // namespace ipc::manager::server
