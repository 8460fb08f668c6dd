/*
 * The floor of starting commands on this machine, for docs/performance.md section a.
 * An experiment only: compiled by bench/lib/spawn-floor.mjs into a temp folder with gcc,
 * never part of dagrun, never needed by npm install or the tests.
 *
 *   spawn-floor loop <posix|fork> <count> <jobs> <resident-MB> <written-KB> cmd [args...]
 *       runs cmd count times, at most jobs at once, started with posix_spawn (vfork-like:
 *       what make 4.3 uses) or with fork + execve (what libuv, so Node, uses on Linux), from
 *       a process holding resident-MB of written heap (a Node process holds ~40-60 MB: fork
 *       copies the page tables of all of it) that writes written-KB of it between two starts
 *       (after a fork each written page faults once: copy-on-write), as a JavaScript heap is
 *       written by allocation between two spawns.
 *
 *   spawn-floor helper
 *       a spawning helper for a parent on the other end of stdin/stdout: each line in is
 *       "<id>\t<argv0>\t<argv1>..." ; the command starts with posix_spawn in a process
 *       group of its own, output to /dev/null; each line out is "<id>\t<wait status>" when it
 *       ends. What a native helper would cost a Node parent (bench/lib/spawn-floor.mjs drives it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char *heap;
static size_t heap_size, written_size, write_at;

/* Writes `size` bytes' worth of pages, walking round the heap. */
static void dirty(size_t size) {
  for (size_t done = 0; done < size && heap_size > 0; done += 4096) {
    heap[write_at]++;
    write_at = (write_at + 4096) % heap_size;
  }
}

static pid_t start_posix(char **argv, int devnull) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, devnull, 0);
  posix_spawn_file_actions_adddup2(&actions, devnull, 1);
  posix_spawn_file_actions_adddup2(&actions, devnull, 2);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid;
  int err = posix_spawnp(&pid, argv[0], &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    fprintf(stderr, "posix_spawn %s: %s\n", argv[0], strerror(err));
    exit(1);
  }
  return pid;
}

static pid_t start_fork(char **argv, int devnull) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execvp(argv[0], argv);
    _exit(127);
  }
  return pid;
}

static int loop(int argc, char **argv) {
  if (argc < 8) return 2;
  int use_fork = strcmp(argv[2], "fork") == 0;
  long count = atol(argv[3]), jobs = atol(argv[4]);
  heap_size = (size_t)atol(argv[5]) << 20;
  written_size = (size_t)atol(argv[6]) << 10;
  char **cmd = argv + 7;
  if (heap_size) heap = malloc(heap_size);
  dirty(heap_size);
  int devnull = open("/dev/null", O_RDWR);
  long started = 0, running = 0;
  while (started < count || running > 0) {
    while (running < jobs && started < count) {
      dirty(written_size);
      (use_fork ? start_fork : start_posix)(cmd, devnull);
      started++;
      running++;
    }
    int status;
    if (wait(&status) > 0) running--;
  }
  return 0;
}

/* The self-pipe: SIGCHLD writes a byte, so poll wakes for an ended child as for input. */
static int wake[2];
static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  (void)!write(wake[1], "", 1);
  errno = saved;
}

static int helper(void) {
  int devnull = open("/dev/null", O_RDWR);
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) return 1;
  struct sigaction sa = {0};
  sa.sa_handler = on_child;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  char line[65536];
  size_t have = 0;
  long ids[65536];
  int open_in = 1, running = 0;
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (open_in || running > 0) {
    struct pollfd fds[2] = {{.fd = wake[0], .events = POLLIN}, {.fd = open_in ? 0 : -1, .events = POLLIN}};
    int ready = poll(fds, 2, -1);
    char drain[64];
    while (read(wake[0], drain, sizeof drain) > 0) {
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      running--;
      printf("%ld\t%d\n", ids[pid & 65535], status);
    }
    fflush(stdout);
    if (ready <= 0 || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
    ssize_t n = read(0, line + have, sizeof line - have - 1);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      open_in = 0;
      continue;
    }
    have += (size_t)n;
    char *start = line, *end;
    while ((end = memchr(start, '\n', line + have - start)) != NULL) {
      *end = '\0';
      char *args[256];
      int nargs = 0;
      long id = strtol(start, &start, 10);
      while (*start == '\t' && nargs < 255) {
        *start++ = '\0';
        args[nargs++] = start;
        start += strcspn(start, "\t");
      }
      args[nargs] = NULL;
      pid_t child = start_posix(args, devnull);
      ids[child & 65535] = id;
      running++;
      start = end + 1;
    }
    have = (size_t)(line + have - start);
    memmove(line, start, have);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "loop") == 0) return loop(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "helper") == 0) return helper();
  fprintf(stderr, "usage: spawn-floor loop <posix|fork> <count> <jobs> <resident-MB> <written-KB> cmd... | spawn-floor helper\n");
  return 2;
}
