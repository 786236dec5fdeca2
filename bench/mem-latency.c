/*
 * Load-to-use latency of this machine's memory hierarchy by working-set size: a pointer chase
 * through a random cyclic permutation (every load depends on the previous one), several rounds
 * per size so that changes over time show. On the shared VMs the latency beyond the L2 moves
 * with the other tenants' use of the L3, which is what makes cache-sensitive benchmarks
 * (bench/events.ts) vary from run to run while register- and L1/L2-bound ones do not.
 *
 *   gcc -O2 bench/mem-latency.c -o /tmp/mem-latency && /tmp/mem-latency [rounds (8)] [KiB ...]
 *   (default sizes: 32 KiB, 1 MiB, 4 MiB, 32 MiB)
 *
 * prints one JSON line per size: nanoseconds per load of each round.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* xorshift64*: a fixed, portable permutation for every run */
static uint64_t state = 88172645463325252ULL;
static uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ULL;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 8;
  if (rounds < 1) {
    fprintf(stderr, "mem-latency: rounds must be a positive integer\n");
    return 2;
  }
  long defaults[] = {32, 1024, 4096, 32768};
  int nsizes = argc > 2 ? argc - 2 : 4;
  for (int s = 0; s < nsizes; s++) {
    long kib = argc > 2 ? atol(argv[s + 2]) : defaults[s];
    if (kib < 1) {
      fprintf(stderr, "mem-latency: sizes are positive KiB counts\n");
      return 2;
    }
    size_t n = (size_t)kib * 1024 / sizeof(size_t);
    size_t *a = malloc(n * sizeof(size_t)), *perm = malloc(n * sizeof(size_t));
    if (!a || !perm) {
      fprintf(stderr, "mem-latency: out of memory for %ld KiB\n", kib);
      return 1;
    }
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = next() % (i + 1), t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (size_t i = 0; i < n; i++) a[perm[i]] = perm[(i + 1) % n];
    const long steps = 20000000;
    size_t p = 0;
    for (long i = 0; i < (long)n; i++) p = a[p]; /* touch every line once */
    printf("{\"bench\":\"mem-latency\",\"kib\":%ld,\"nsPerLoad\":[", kib);
    for (int r = 0; r < rounds; r++) {
      double t0 = now();
      for (long i = 0; i < steps; i++) p = a[p];
      printf("%s%.1f", r ? "," : "", (now() - t0) / steps * 1e9);
      fflush(stdout);
    }
    printf("],\"sink\":%zu}\n", p);
    free(a);
    free(perm);
  }
  return 0;
}
