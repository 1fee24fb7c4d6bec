/*
 * memhog: allocate and touch N MiB, one MiB at a time.
 *
 * Labs use it to drive a container into its memory limit. Every page is
 * written (not just malloc'ed) so the memory is really charged to the cgroup
 * and the kernel's OOM killer fires when the limit is reached.
 *
 * usage: memhog [MiB] [--hold]
 *   MiB     how much to allocate (default 64)
 *   --hold  after allocating, sleep until killed (to observe usage)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long mib = 64;
  int hold = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--hold") == 0) hold = 1;
    else mib = strtol(argv[i], NULL, 10);
  }
  if (mib <= 0) {
    fprintf(stderr, "memhog: MiB must be a positive number\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  for (long i = 1; i <= mib; i++) {
    char *p = malloc(1 << 20);
    if (p == NULL) {
      fprintf(stderr, "memhog: malloc failed after %ld MiB\n", i - 1);
      return 1;
    }
    memset(p, 0xA5, 1 << 20); /* touch every page so it is charged */
    if (i % 8 == 0 || i == mib) printf("memhog: %ld MiB allocated\n", i);
  }
  printf("memhog: done, %ld MiB\n", mib);
  while (hold) pause();
  return 0;
}
