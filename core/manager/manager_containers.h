// The manager server's containers: dicts, namespaces, lists and arrays,
// and the requests that only read or change one of them (never block).
// Private to the server (manager_server.cpp); split out of it so that the
// poll loop and the blocking kinds stay readable.
//
// Python's semantics where it matters to a lesson:
//   - a dict keeps insertion order (setting a key it holds keeps its place;
//     removing and setting it again moves it to the end), popitem() takes
//     the last inserted;
//   - list equality (count, index, remove) is Python's ==: numbers compare
//     by value across int, float and bool (1 == 1.0 == True); other values
//     only equal values of their own type;
//   - sort() orders numbers by value, strings by code point, bytes by byte,
//     arrays lexicographically (as Python's lists); any other pair -- mixed
//     types, null, maps -- has no order: the sort is refused with
//     InvalidArgument (Python: TypeError) and the list is left unchanged
//     (Python may leave it half-sorted). NaN sorts after every number (Python
//     leaves such a list partly unsorted). The sort is stable;
//   - slices clamp as Python's (step 1): negative counts from the end, out
//     of range clamps to the ends, start past stop is empty.
#pragma once

#include "manager_protocol.h"
#include "result.h"

#include <QCborArray>
#include <QCborValue>

#include <cmath>
#include <cstddef>
#include <list>
#include <unordered_map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ipc::manager::server {

// Request arguments: req = [op, objectId, args...]; i counts from 0 there.
[[nodiscard]] QCborValue arg(const Request &req, qsizetype i);
[[nodiscard]] Result<std::int64_t> intArg(const Request &req, qsizetype i, const char *what);

// "[1, 2]"-style text of a value for messages, at most 60 characters.
[[nodiscard]] std::string shortText(const QCborValue &v);

// Python's a == b and a < b on message values. pyCompare: <0, 0, >0, or
// nullopt where Python raises TypeError.
[[nodiscard]] bool pyEqual(const QCborValue &a, const QCborValue &b);
[[nodiscard]] std::optional<int> pyCompare(const QCborValue &a, const QCborValue &b);
// Python's hash() where pyEqual is Python's ==: pyEqual(a, b) implies
// pyHash(a) == pyHash(b) (hash(1) == hash(1.0) == hash(True)).
[[nodiscard]] std::size_t pyHash(const QCborValue &v);

class OrderedMap {
public:
    using Entry = std::pair<QCborValue, QCborValue>;

    [[nodiscard]] const QCborValue *find(const QCborValue &key) const;
    void set(const QCborValue &key, QCborValue value);
    [[nodiscard]] std::optional<QCborValue> take(const QCborValue &key);
    [[nodiscard]] std::optional<Entry> takeLast();
    [[nodiscard]] bool contains(const QCborValue &key) const { return m_index.count(key) > 0; }
    [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
    void clear();
    [[nodiscard]] auto begin() const { return m_entries.begin(); }
    [[nodiscard]] auto end() const { return m_entries.end(); }

private:
    // Keys are one key when Python's == says so (d[1], d[1.0] and d[True]
    // are one entry, as in a Python dict), and NaN is one key (a Python
    // dict keeps one per NaN object; a key here is a value, not an object).
    // A hash index finds a key with a hash and about one comparison.
    struct Hash {
        std::size_t operator()(const QCborValue &key) const { return pyHash(key); }
    };
    struct Equal {
        bool operator()(const QCborValue &a, const QCborValue &b) const
        {
            return pyEqual(a, b) || (a.isDouble() && b.isDouble() && std::isnan(a.toDouble()) &&
                                     std::isnan(b.toDouble()));
        }
    };
    std::list<Entry> m_entries;
    std::unordered_map<QCborValue, std::list<Entry>::iterator, Hash, Equal> m_index;
};

// What a container request needs to know of its object.
struct Target {
    Kind kind;
    const std::string &name;
};

// Dict and Namespace requests.
[[nodiscard]] Result<QCborValue> mapRequest(OrderedMap &map, Target t, Op op,
                                            const Request &req);
// List and Array requests (an Array refuses what would change its length).
[[nodiscard]] Result<QCborValue> listRequest(std::vector<QCborValue> &list, Target t, Op op,
                                             const Request &req);

// "'sort' does not apply to Queue 'q'"
[[nodiscard]] std::unexpected<Error> wrongKind(Target t, Op op);

} // namespace ipc::manager::server
