// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the world's PRNG: xoshiro256** (Blackman and Vigna),
 * seeded by splitmix64 from (seed, stream). Integer only; the state is four
 * words, so saving and restoring it is an assignment. It sits below the
 * scheduler's random strategy and the host models.
 */
#include "sim/prng.h"

uint64_t sim_prng_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void sim_prng_seed(SimPrng *p, uint64_t seed, uint64_t stream)
{
	uint64_t x = sim_prng_mix(seed) ^ sim_prng_mix(stream + 0x5851f42d4c957f2dULL);
	int i;

	for (i = 0; i < 4; i++) {
		x = sim_prng_mix(x);
		p->s[i] = x;
	}
	/* The all-zero state is the one xoshiro cannot leave. */
	if (!(p->s[0] | p->s[1] | p->s[2] | p->s[3]))
		p->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_prng_next(SimPrng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sim_prng_below(SimPrng *p, uint64_t bound)
{
	/* Lemire's multiply-shift with rejection: no modulo bias. */
	unsigned __int128 m = (unsigned __int128)sim_prng_next(p) * bound;
	uint64_t low = (uint64_t)m;

	if (low < bound) {
		uint64_t threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)sim_prng_next(p) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}
