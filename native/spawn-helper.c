/*
 * spawn-helper: starts dagrun's build commands with posix_spawn (see
 * src/executor/native-runner.ts for why: Node's spawn forks its whole address space; this does
 * not, and it starts in a millisecond where a Node spawner takes 100-400 ms).
 *
 *   spawn-helper <kill-grace-ms>
 *
 * Frames, both ways: u32 length (of what follows), u8 type, u32 id, payload; little-endian.
 *   dagrun -> helper:  'R' run:       cwd\0  u32 argc  argv\0...  u32 envc  K=V\0...
 *                      'K' kill all:  (id 0, no payload) SIGKILL every group started so far
 *   helper -> dagrun:  'S' started:   i32 pid
 *                      'F' failed:    i32 errno, message (strerror)
 *                      'O' output:    bytes (stdout and stderr, interleaved as written)
 *                      'X' exited:    i32 exit code (-1 if signalled), i32 signal (0 if exited)
 * A request frame longer than MAX_REQUEST_FRAME is refused without being buffered: its command
 * fails ('F', E2BIG, saying why) and the helper goes on with the next frame.
 * dagrun kills process groups itself (by pid); the helper only starts, reads and reaps.
 * When its stdin closes (dagrun is gone, even after a SIGKILL) it ends what it started: SIGTERM
 * to every group, SIGKILL after the grace, then exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

extern char **environ;

/** A command from spawn to "exited": both its exit and its pipe's EOF must have happened. */
struct command {
	uint32_t id;
	pid_t pid;
	int fd;      /* read end of its output pipe; -1 after EOF */
	int exited;  /* it ended; still unreaped, so its pid (the group id) stays ours */
};

static struct command *commands;
static size_t ncommands, capacity;
static int wake[2]; /* self-pipe: signal handlers write, the poll loop reads */
static volatile sig_atomic_t terminated;

static void die(const char *what) {
	fprintf(stderr, "spawn-helper: %s: %s\n", what, strerror(errno));
	exit(70);
}

static void woken(int sig) {
	int saved = errno; /* a handler must not clobber the errno of the code it interrupted */
	if (sig == SIGTERM) terminated = 1;
	(void)!write(wake[1], "", 1);
	errno = saved;
}

static void cloexec_nonblock(int fd, int nonblock) {
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) die("fcntl");
	if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
}

/* pipe2 is not on macOS; the helper is single-threaded, so nothing can spawn between the two calls. */
static int cloexec_pipe(int fds[2]) {
	if (pipe(fds) < 0) return -1;
	cloexec_nonblock(fds[0], 0);
	cloexec_nonblock(fds[1], 0);
	return 0;
}

/* Writes all of buf to stdout; waits when the pipe is full (dagrun reads it as it comes). */
static void write_all(const void *buf, size_t len) {
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, p, len);
		if (n > 0) { p += n; len -= (size_t)n; continue; }
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd out = { STDOUT_FILENO, POLLOUT, 0 };
			(void)poll(&out, 1, -1);
			continue;
		}
		terminated = 1; /* dagrun is gone (EPIPE): nobody to report to, end what runs */
		return;
	}
}

static void put32(unsigned char *p, uint32_t v) {
	p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; p[2] = (v >> 16) & 0xff; p[3] = v >> 24;
}

static uint32_t get32(const unsigned char *p) {
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One event: the header and up to two i32s go in one write with the (small) payload after. */
static void send_event(char type, uint32_t id, const int32_t *ints, int nints, const void *data, size_t len) {
	unsigned char head[17];
	size_t headlen = 9 + 4 * (size_t)nints;
	put32(head, (uint32_t)(headlen - 4 + len));
	head[4] = (unsigned char)type;
	put32(head + 5, id);
	for (int i = 0; i < nints; i++) put32(head + 9 + 4 * i, (uint32_t)ints[i]);
	if (len <= 4096) {
		unsigned char frame[17 + 4096];
		memcpy(frame, head, headlen);
		if (len > 0) memcpy(frame + headlen, data, len);
		write_all(frame, headlen + len);
	} else {
		write_all(head, headlen);
		write_all(data, len);
	}
}

static void send_failed(uint32_t id, int err) {
	int32_t code = err;
	const char *message = strerror(err);
	send_event('F', id, &code, 1, message, strlen(message));
}

/* The value of NAME in a K=V list, or NULL. */
static const char *env_get(char *const *env, const char *name) {
	size_t n = strlen(name);
	for (; *env; env++) if (strncmp(*env, name, n) == 0 && (*env)[n] == '=') return *env + n + 1;
	return NULL;
}

/*
 * execvp's search, but with the command's own PATH (not the helper's) and done here, before the
 * spawn, so that "not found" costs no process. A match that is not an executable file (a folder
 * too) is remembered: like execvp, that is EACCES only if nothing later in PATH fits.
 */
static int resolve(const char *file, char *const *env, char *out, size_t outlen) {
	if (strchr(file, '/')) {
		if (strlen(file) >= outlen) return ENAMETOOLONG;
		strcpy(out, file);
		return 0;
	}
	const char *path = env_get(env, "PATH");
	if (!path) path = "/usr/bin:/bin";
	int err = ENOENT;
	for (const char *dir = path;; dir++) {
		const char *end = strchr(dir, ':');
		size_t dirlen = end ? (size_t)(end - dir) : strlen(dir);
		int n = dirlen == 0 ? snprintf(out, outlen, "%s", file) /* empty entry: the cwd */
		                    : snprintf(out, outlen, "%.*s/%s", (int)dirlen, dir, file);
		struct stat st;
		if (n > 0 && (size_t)n < outlen && stat(out, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 0;
			err = EACCES;
		}
		if (!end) break;
		dir = end;
	}
	return err;
}

/*
 * An executable file the kernel cannot run (a script without a #! line): execvp, and so Node's
 * spawn, runs it with /bin/sh; posix_spawn does not (glibc dropped that in 2.15). Same as execvp.
 */
static int spawn_script(pid_t *pid, char *file, const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr, char **argv, char **env) {
	size_t argc = 0;
	while (argv[argc]) argc++;
	char **sh = calloc(argc + 2, sizeof *sh);
	if (!sh) return ENOMEM;
	sh[0] = "/bin/sh";
	sh[1] = file;
	for (size_t i = 1; i < argc; i++) sh[i + 1] = argv[i];
	int err = posix_spawn(pid, "/bin/sh", actions, attr, sh, env);
	free(sh);
	return err;
}

static int spawn_command(const char *cwd, char **argv, char **env, int out, pid_t *pid) {
	char file[4096];
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t actions;
	sigset_t none, all;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
	flags |= POSIX_SPAWN_SETSID; /* own session and process group, as Node's detached */
#else
	flags |= POSIX_SPAWN_SETPGROUP;
#endif
	/* chdir around the spawn: portable (addchdir_np is not everywhere), and the helper is single-threaded. */
	if (chdir(cwd) < 0) return errno;
	int err = resolve(argv[0], env, file, sizeof file);
	if (err == 0) {
		sigemptyset(&none);
		sigfillset(&all); /* commands get default signal handling, not the helper's ignored SIGINT */
		posix_spawnattr_init(&attr);
		posix_spawnattr_setflags(&attr, flags);
		posix_spawnattr_setpgroup(&attr, 0);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setsigdefault(&attr, &all);
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&actions, out, STDERR_FILENO);
		err = posix_spawn(pid, file, &actions, &attr, argv, env);
		if (err == ENOEXEC) err = spawn_script(pid, file, &actions, &attr, argv, env);
		posix_spawn_file_actions_destroy(&actions);
		posix_spawnattr_destroy(&attr);
	}
	if (chdir("/") < 0) { /* no folder of a command stays busy because of the helper */ }
	return err;
}

/* Splits n NUL-terminated strings off *p (bounded by end) into a NULL-terminated array. */
static char **take_strings(unsigned char **p, unsigned char *end, uint32_t n) {
	if ((size_t)(end - *p) < n) return NULL;
	char **list = calloc((size_t)n + 1, sizeof *list);
	if (!list) die("calloc");
	for (uint32_t i = 0; i < n; i++) {
		unsigned char *nul = memchr(*p, 0, (size_t)(end - *p));
		if (!nul) { free(list); return NULL; }
		list[i] = (char *)*p;
		*p = nul + 1;
	}
	return list;
}

static void run_request(uint32_t id, unsigned char *p, unsigned char *end) {
	char *cwd = (char *)p, **argv = NULL, **env = NULL;
	unsigned char *nul = memchr(p, 0, (size_t)(end - p));
	if (nul && end - (p = nul + 1) >= 4) {
		uint32_t argc = get32(p); p += 4;
		argv = argc > 0 ? take_strings(&p, end, argc) : NULL;
		if (argv && end - p >= 4) { uint32_t envc = get32(p); p += 4; env = take_strings(&p, end, envc); }
	}
	int fds[2];
	pid_t pid;
	int err = !argv || !env ? EINVAL : cloexec_pipe(fds) < 0 ? errno : 0;
	if (!err) {
		err = spawn_command(cwd, argv, env, fds[1], &pid);
		close(fds[1]);
		if (err) close(fds[0]);
	}
	free(argv);
	free(env);
	if (err) { send_failed(id, err); return; }
	cloexec_nonblock(fds[0], 1);
	if (ncommands == capacity) {
		capacity = capacity ? capacity * 2 : 64;
		if (!(commands = realloc(commands, capacity * sizeof *commands))) die("realloc");
	}
	commands[ncommands++] = (struct command){ id, pid, fds[0], 0 };
	int32_t started = pid;
	send_event('S', id, &started, 1, NULL, 0);
}

/*
 * Reports a command once both its pipe closed and it exited, and ends what is left of its group.
 * Only then is it reaped: until waitpid, its zombie holds the pid, so the group id cannot have
 * been reused by an unrelated group (pid_max is 32768 on many systems) when the SIGKILL goes out.
 */
static void finish_if_done(size_t i) {
	struct command *c = &commands[i];
	if (c->fd >= 0 || !c->exited) return;
	kill(-c->pid, SIGKILL); /* a grandchild that closed its output must not outlive the command */
	int status = 0;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {}
	int32_t ended[2] = { WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0 };
	send_event('X', c->id, ended, 2, NULL, 0);
	commands[i] = commands[--ncommands];
}

/* Notes which commands exited, without reaping them (see finish_if_done). */
static void check_exits(void) {
	char drain[64];
	while (read(wake[0], drain, sizeof drain) > 0) {}
	for (size_t i = ncommands; i-- > 0;) { /* backwards: finishing one moves the last into its place */
		if (commands[i].exited) continue;
		siginfo_t info;
		info.si_pid = 0; /* WNOHANG with nothing to report leaves it as it was (POSIX) */
		if (waitid(P_PID, (id_t)commands[i].pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == commands[i].pid) {
			commands[i].exited = 1;
			finish_if_done(i);
		}
	}
}

static void read_output(size_t i) {
	static unsigned char buf[65536];
	ssize_t n = read(commands[i].fd, buf, sizeof buf);
	if (n > 0) { send_event('O', commands[i].id, NULL, 0, buf, (size_t)n); return; }
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
	close(commands[i].fd);
	commands[i].fd = -1;
	finish_if_done(i);
}

/* Every group still ours: each leader is unreaped until finish_if_done, so its pid is its group's. */
static void signal_all(int sig) {
	for (size_t i = 0; i < ncommands; i++) kill(-commands[i].pid, sig);
}

/*
 * The longest request frame taken (cwd, argv and environment together): far above what the kernel
 * accepts for argv and environment (ARG_MAX, 2 MiB on Linux), far below what would let a bad
 * length make the helper buffer gigabytes.
 */
#define MAX_REQUEST_FRAME (16u << 20)

static unsigned char *inbuf;
static size_t inlen, incap;
static size_t discarding; /* bytes of a refused frame still to skip */

/*
 * Refuses the oversized frame at inbuf + at (its header is there): its command fails, and the
 * frame is skipped, now or as it arrives. Returns where reading goes on.
 */
static size_t refuse_frame(size_t at, uint32_t len) {
	char message[160];
	snprintf(message, sizeof message, "its request (cwd, arguments and environment) takes %u bytes, over the spawn helper's limit of %u MiB",
	         len, MAX_REQUEST_FRAME >> 20);
	int32_t code = E2BIG;
	if (inbuf[at + 4] == 'R') send_event('F', get32(inbuf + at + 5), &code, 1, message, strlen(message));
	size_t frame = 4 + (size_t)len, have = inlen - at;
	if (have >= frame) return at + frame;
	discarding = frame - have;
	return inlen;
}

/* Reads what dagrun sent and runs every complete frame; returns 0 at EOF. */
static int read_requests(void) {
	if (incap - inlen < 65536) {
		incap = incap ? incap * 2 : 1 << 17;
		if (!(inbuf = realloc(inbuf, incap))) die("realloc");
	}
	ssize_t n = read(STDIN_FILENO, inbuf + inlen, incap - inlen);
	if (n < 0) return errno == EINTR || errno == EAGAIN;
	if (n == 0) return 0;
	inlen += (size_t)n;
	size_t at = discarding < inlen ? discarding : inlen;
	discarding -= at;
	while (inlen - at >= 4) {
		uint32_t len = get32(inbuf + at);
		if (len < 5) { errno = EPROTO; die("bad frame"); }
		if (len > MAX_REQUEST_FRAME) {
			if (inlen - at < 9) break; /* its type and id first */
			at = refuse_frame(at, len);
			continue;
		}
		if (inlen - at - 4 < len) break;
		unsigned char *frame = inbuf + at + 4;
		if (frame[0] == 'R') run_request(get32(frame + 1), frame + 5, frame + len);
		else if (frame[0] == 'K') signal_all(SIGKILL);
		at += 4 + len;
	}
	memmove(inbuf, inbuf + at, inlen - at);
	inlen -= at;
	return 1;
}

static long long now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Polls until nothing runs or the deadline passes (-1: no deadline); returns 0 when stdin closed. */
static int serve(long long deadline, int reading) {
	struct pollfd *fds = NULL;
	for (;;) {
		if (!reading && ncommands == 0) break;
		if (reading && terminated) { free(fds); return 0; }
		int timeout = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && timeout <= 0) break;
		if (!(fds = realloc(fds, (ncommands + 2) * sizeof *fds))) die("realloc");
		fds[0] = (struct pollfd){ wake[0], POLLIN, 0 };
		fds[1] = (struct pollfd){ reading ? STDIN_FILENO : -1, POLLIN, 0 };
		for (size_t i = 0; i < ncommands; i++) fds[i + 2] = (struct pollfd){ commands[i].fd, POLLIN, 0 };
		size_t polled = ncommands;
		if (poll(fds, (nfds_t)polled + 2, timeout) < 0) {
			if (errno == EINTR) continue;
			die("poll");
		}
		/* Output before reaping, so a command's last bytes go out before its "exited". Backwards:
		 * finishing one moves the last command into its place. */
		for (size_t i = polled; i-- > 0;) if (fds[i + 2].revents && commands[i].fd >= 0) read_output(i);
		if (fds[0].revents) check_exits();
		if (fds[1].revents && !read_requests()) { free(fds); return 0; }
	}
	free(fds);
	return 1;
}

int main(int argc, char **argv) {
	long grace = argc > 1 ? atol(argv[1]) : 3000;
	if (cloexec_pipe(wake) < 0) die("pipe");
	cloexec_nonblock(wake[0], 1);
	cloexec_nonblock(wake[1], 1);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = woken;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);  /* a Ctrl-C is dagrun's to handle; it stops commands itself */
	signal(SIGPIPE, SIG_IGN); /* a write to a gone dagrun fails with EPIPE instead */
#ifdef __linux__
	/* SIGTERM, not SIGKILL: dagrun's death must still end the commands, as stdin's EOF does. It
	 * covers a dagrun whose stdin end was inherited by something still alive. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (chdir("/") < 0) die("chdir");

	serve(-1, 1);
	/* dagrun is gone or done: end every group still running, then whatever ignored SIGTERM. */
	signal_all(SIGTERM);
	serve(now_ms() + grace, 0);
	signal_all(SIGKILL);
	serve(now_ms() + 1000, 0); /* reap them; their pipes close as they die */
	return 0;
}
