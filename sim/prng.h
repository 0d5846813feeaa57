/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the world's pseudo-random number generator:
 * xoshiro256** seeded through splitmix64, integer only, with derived streams
 * so that each component (scheduler, each host model) draws from its own
 * stream and adding a model does not shift the others. Its state can be
 * saved and restored by plain assignment.
 */
#ifndef HVSIM_PRNG_H
#define HVSIM_PRNG_H

#include <stdint.h>

typedef struct {
	uint64_t s[4];
} SimPrng;

/* Seed a stream from (@seed, @stream): distinct streams are independent. */
void sim_prng_seed(SimPrng *p, uint64_t seed, uint64_t stream);
uint64_t sim_prng_next(SimPrng *p);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t sim_prng_below(SimPrng *p, uint64_t bound);
/* splitmix64 step, exposed for deriving seeds. */
uint64_t sim_prng_mix(uint64_t x);

#endif /* HVSIM_PRNG_H */
