/*
 * The machine's own ceiling for 2-thread scaling of the native crossbar kernel's instruction:
 * a register-only loop of AVX-512 VPOPCNTD + VPXORD on zmm (12 independent chains, no memory
 * traffic), timed on 1 thread and then on 2 threads at once, round after round. The ratio
 * 2 x (1-thread time) / (2-thread wall time) is what any compute-bound kernel of this kind can
 * reach here: on a VM whose two vCPUs lose time to other tenants, or run slower together
 * (frequency, a shared physical core), it is below 2. bench/crossbar-cpu.ts's
 * "2 workers / 1" ratio for the native kernels is to be read against it.
 *
 *   gcc -O2 -pthread -mavx512f -mavx512vpopcntdq bench/cpu-scaling.c -o /tmp/cpu-scaling
 *   /tmp/cpu-scaling [rounds (7)] [iterations (100000000)]
 *
 * prints one JSON line per round and a summary line (median ratio).
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iterations = 100000000L;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { double seconds; int sink; } Job;

static void *spin(void *arg) {
  Job *job = arg;
  __m512i x[12];
  const __m512i k = _mm512_set1_epi32(0x5a5a5a5a);
  for (int j = 0; j < 12; j++) x[j] = _mm512_set1_epi32(j * 77 + 1);
  double t0 = now();
  for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++) x[j] = _mm512_popcnt_epi32(_mm512_xor_si512(x[j], k));
    __asm__ volatile("" : "+v"(x[0]), "+v"(x[1]), "+v"(x[2]), "+v"(x[3]), "+v"(x[4]), "+v"(x[5]), "+v"(x[6]), "+v"(x[7]), "+v"(x[8]), "+v"(x[9]), "+v"(x[10]), "+v"(x[11]));
  }
  job->seconds = now() - t0;
  __m512i s = x[0];
  for (int j = 1; j < 12; j++) s = _mm512_add_epi32(s, x[j]);
  int out[16];
  _mm512_storeu_si512(out, s);
  job->sink = out[0];
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 7;
  if (argc > 2) iterations = atol(argv[2]);
  if (rounds < 1 || iterations < 1) {
    fprintf(stderr, "cpu-scaling: rounds and iterations must be positive integers\n");
    return 2;
  }
  double *ratios = malloc(sizeof(double) * rounds);
  const double bits = (double)iterations * 12 * 512;
  for (int r = 0; r < rounds; r++) {
    Job one = {0, 0}, two[2] = {{0, 0}, {0, 0}};
    spin(&one);
    pthread_t th[2];
    double t0 = now();
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, spin, &two[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    double wall = now() - t0;
    ratios[r] = 2 * one.seconds / wall;
    printf("{\"bench\":\"cpu-scaling\",\"round\":%d,\"oneThreadSeconds\":%.4f,\"twoThreadSeconds\":[%.4f,%.4f],\"twoThreadWall\":%.4f,\"bitPopcountsPerSecOneThread\":%.4g,\"ratio\":%.3f,\"sink\":%d}\n",
           r, one.seconds, two[0].seconds, two[1].seconds, wall, bits / one.seconds, ratios[r], one.sink ^ two[0].sink ^ two[1].sink);
  }
  qsort(ratios, rounds, sizeof(double), cmp);
  double med = rounds % 2 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
  printf("{\"bench\":\"cpu-scaling\",\"summary\":true,\"rounds\":%d,\"iterations\":%ld,\"medianRatio\":%.3f,\"minRatio\":%.3f,\"maxRatio\":%.3f}\n", rounds, iterations, med, ratios[0], ratios[rounds - 1]);
  free(ratios);
  return 0;
}
