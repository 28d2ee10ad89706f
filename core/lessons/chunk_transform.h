// ChunkOp: the in-place element transforms of the SharedMemory / Array
// lesson ("each worker squares its slice of the array"). The chunk worker
// role and every serial reference (tests, the scenario's correctness check)
// call the same transform(), so parallel and serial results are bit-equal.
//
// Integer elements wrap on overflow (two's complement), as numpy does, and k
// is rounded to the nearest integer for them; doubles follow IEEE 754.
#pragma once

#include "result.h"
#include "shared_value.h"

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace ipc {

enum class ChunkOp : std::uint32_t {
    Square = 0, // x = x * x
    Cube,       // x = x * x * x
    Scale,      // x = x * k
    Add,        // x = x + k
};

inline constexpr std::string_view kChunkOpNames[] = {"square", "cube", "scale", "add"};

[[nodiscard]] inline Result<ChunkOp> parseChunkOp(std::string_view name)
{
    for (std::size_t i = 0; i < std::size(kChunkOpNames); ++i)
        if (kChunkOpNames[i] == name) return ChunkOp(i);
    return fail(Errc::InvalidArgument,
                "unknown operation '" + std::string(name) + "' (square, cube, scale, add)");
}

[[nodiscard]] inline std::string_view chunkOpName(ChunkOp op) noexcept
{
    const auto i = std::size_t(op);
    return i < std::size(kChunkOpNames) ? kChunkOpNames[i] : std::string_view("unknown");
}

template <SharedScalar T>
[[nodiscard]] inline T applyChunkOp(ChunkOp op, T x, double k) noexcept
{
    if constexpr (std::is_floating_point_v<T>) {
        switch (op) {
        case ChunkOp::Square: return x * x;
        case ChunkOp::Cube: return x * x * x;
        case ChunkOp::Scale: return x * k;
        case ChunkOp::Add: return x + k;
        }
        return x;
    } else {
        // Unsigned arithmetic wraps without undefined behaviour; the cast
        // back is modular since C++20.
        using U = std::make_unsigned_t<T>;
        const U u = U(x);
        const U ku = U(T(std::llround(k)));
        switch (op) {
        case ChunkOp::Square: return T(U(u * u));
        case ChunkOp::Cube: return T(U(U(u * u) * u));
        case ChunkOp::Scale: return T(U(u * ku));
        case ChunkOp::Add: return T(U(u + ku));
        }
        return x;
    }
}

// Transforms every element of span in place.
template <SharedScalar T>
inline void transformChunk(ChunkOp op, double k, std::span<T> span) noexcept
{
    for (T &x : span) x = applyChunkOp(op, x, k);
}

} // namespace ipc
