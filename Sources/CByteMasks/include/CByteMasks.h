// The ASCII classes of 64 bytes as bit masks (bit i for byte i), for the lexers' block scan
// (Sources/BPE/Presets/Lexer+Blocks.swift). SSE2, which every x86-64 CPU has, classifies 16
// bytes per instruction and `pmovmskb` packs each class into 16 bits; elsewhere a plain loop
// gives the same masks, and `cbm_fast` is 0 so that the lexer keeps its byte scan there.
// Static inline, so that the Swift caller inlines it; no state, no allocation.
#ifndef CBYTEMASKS_H
#define CBYTEMASKS_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
    uint64_t letter;      // A-Z a-z
    uint64_t upper;       // A-Z
    uint64_t digit;       // 0-9
    uint64_t space;       // U+0020
    uint64_t white;       // \t \n \v \f \r and U+0020 (PCRE2's \s within ASCII)
    uint64_t newline;     // \r \n
    uint64_t apostrophe;  // '
    uint64_t slash;       // /
} cbm_masks;

#if defined(__SSE2__)
static const int cbm_fast = 1;

// Bytes of x (as unsigned) within lo...hi: 0xFF, else 0.
static inline __m128i cbm_range(__m128i x, unsigned char lo, unsigned char hi) {
    __m128i y = _mm_sub_epi8(x, _mm_set1_epi8((char)lo));
    __m128i c = _mm_set1_epi8((char)(unsigned char)(hi - lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(y, c), y);
}

static inline uint64_t cbm_pack(__m128i a, __m128i b, __m128i c, __m128i d) {
    return (uint64_t)(uint16_t)_mm_movemask_epi8(a) | (uint64_t)(uint16_t)_mm_movemask_epi8(b) << 16
         | (uint64_t)(uint16_t)_mm_movemask_epi8(c) << 32 | (uint64_t)(uint16_t)_mm_movemask_epi8(d) << 48;
}

// Bit i set when p[i] >= 0x80, for the 64 bytes from p.
__attribute__((always_inline)) static inline uint64_t cbm_high64(const uint8_t *p) {
    __m128i v0 = _mm_loadu_si128((const __m128i *)p), v1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(p + 32)), v3 = _mm_loadu_si128((const __m128i *)(p + 48));
    return cbm_pack(v0, v1, v2, v3);
}

// The classes of the 64 bytes from p. Bytes >= 0x80 are in none of them.
__attribute__((always_inline)) static inline cbm_masks cbm_classes64(const uint8_t *p) {
    __m128i l[4], u[4], d[4], sp[4], w[4], n[4], ap[4], sl[4];
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        l[k] = cbm_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
        u[k] = cbm_range(x, 'A', 'Z');
        d[k] = cbm_range(x, '0', '9');
        sp[k] = _mm_cmpeq_epi8(x, _mm_set1_epi8(' '));
        w[k] = _mm_or_si128(sp[k], cbm_range(x, '\t', '\r'));
        n[k] = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\r')));
        ap[k] = _mm_cmpeq_epi8(x, _mm_set1_epi8('\''));
        sl[k] = _mm_cmpeq_epi8(x, _mm_set1_epi8('/'));
    }
    cbm_masks m;
    m.letter = cbm_pack(l[0], l[1], l[2], l[3]);
    m.upper = cbm_pack(u[0], u[1], u[2], u[3]);
    m.digit = cbm_pack(d[0], d[1], d[2], d[3]);
    m.space = cbm_pack(sp[0], sp[1], sp[2], sp[3]);
    m.white = cbm_pack(w[0], w[1], w[2], w[3]);
    m.newline = cbm_pack(n[0], n[1], n[2], n[3]);
    m.apostrophe = cbm_pack(ap[0], ap[1], ap[2], ap[3]);
    m.slash = cbm_pack(sl[0], sl[1], sl[2], sl[3]);
    return m;
}
#else
static const int cbm_fast = 0;

__attribute__((always_inline)) static inline uint64_t cbm_high64(const uint8_t *p) {
    uint64_t m = 0;
    for (int i = 0; i < 64; i++) m |= (uint64_t)(p[i] >> 7) << i;
    return m;
}

__attribute__((always_inline)) static inline cbm_masks cbm_classes64(const uint8_t *p) {
    cbm_masks m = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 64; i++) {
        uint8_t b = p[i];
        uint64_t bit = (uint64_t)1 << i;
        uint8_t f = b | 0x20;
        if (f >= 'a' && f <= 'z' && b < 0x80) m.letter |= bit;
        if (b >= 'A' && b <= 'Z') m.upper |= bit;
        if (b >= '0' && b <= '9') m.digit |= bit;
        if (b == ' ') m.space |= bit;
        if (b == ' ' || (b >= '\t' && b <= '\r')) m.white |= bit;
        if (b == '\n' || b == '\r') m.newline |= bit;
        if (b == '\'') m.apostrophe |= bit;
        if (b == '/') m.slash |= bit;
    }
    return m;
}
#endif

// A hint that the line at p is wanted soon (the batched encoder's table lines). No effect on
// what any load returns.
__attribute__((always_inline)) static inline void cbm_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
