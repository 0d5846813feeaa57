// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the explorer's worker pool (see sim/pool.h): fork
 * the workers, hand them ranges of slots through a pipe each, read back
 * per-range outcomes through another, put the ranges back in slot order
 * (a reorder buffer) for the caller, and replace a worker that dies. It
 * sits between the explore command and sim_world_run().
 *
 * Why processes and not threads: the engine has one ambient value (the
 * running task) and drivers have globals restored between executions, so
 * one world per process is the unit that runs in parallel; fork() copies
 * the set-up world, the strategy and the drivers' state for free, and a
 * worker that dies cannot take the explorer with it.
 *
 * Determinism: which worker runs which range depends on timing, but the
 * caller only ever sees ranges in slot order, each outcome a function of
 * its execution index. So the findings, their counts and their first
 * executions are those of one process running the same slots.
 *
 * Protocol. Parent to worker: a range, two uint64 (start, end); end of
 * file means exit. Worker to parent, per range: start, end, the number of
 * signatures, then per signature its count, first execution, length and
 * bytes. A page of memory shared with each worker holds the slot it is
 * running and, if it dies, what its fatal hook (sim/crash.h) recorded:
 * signal, address, stack and the decisions of the execution so far.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "sim/crash.h"
#include "sim/pool.h"

G_DEFINE_QUARK(sim-pool-error-quark, sim_pool_error)

/* Decisions a dying worker can pass on (the storvsc scenario takes ~150). */
#define POOL_MAX_DECISIONS	(1u << 16)
/* Worker deaths in a row, outside any execution, before giving up. */
#define MAX_FRUITLESS		3
/* Ranges queued per worker: the next one waits in the pipe. */
#define OUTSTANDING		2
/* Longest wait between calls of tick(). */
#define TICK_MS			50
/* Slots per range, at most: about 10 ms of work. */
#define MAX_CHUNK		256

/* Shared with one worker; written by it, read by the parent. */
typedef struct {
	volatile uint64_t slot_plus1;	/* slot being run + 1; 0: none */
	volatile int dead;		/* the fatal hook ran */
	int sig, code;
	uint64_t addr;
	SimStack stack;
	uint32_t ndecisions;
	uint32_t truncated;
	uint32_t decisions[POOL_MAX_DECISIONS];
} PoolShm;

typedef struct {
	uint64_t start, end;
} Range;

typedef struct {
	pid_t pid;		/* 0: not running */
	int cmd_fd, res_fd;	/* the parent's ends; -1 when closed */
	GByteArray *in;		/* bytes read, not yet parsed */
	GArray *assigned;	/* Range, in the order handed out */
	PoolShm *shm;
} Worker;

typedef struct {
	const SimPoolConfig *cfg;
	uint64_t chunk;
	pid_t parent;
	Worker *workers;
	GArray *pending;	/* Range, ascending: to run again first */
	uint64_t next_fresh;	/* first slot never handed out */
	gboolean stopped;	/* tick() said stop */
	GTree *done;		/* &start -> SimPoolChunk*, not committed */
	uint64_t committed;	/* slots 0..committed-1 are committed */
	uint64_t ran;		/* slots run, committed or not */
	unsigned fruitless;
	GError *error;
} Pool;

/* ------------------------------------------------------------- chunks -- */

static void hit_free(gpointer p)
{
	SimPoolHit *h = p;

	g_free(h->sig);
	g_free(h);
}

static void chunk_free(SimPoolChunk *c)
{
	if (!c)
		return;
	g_ptr_array_unref(c->hits);
	if (c->crash) {
		if (c->crash->decisions)
			g_array_unref(c->crash->decisions);
		g_free(c->crash);
	}
	g_free(c);
}

static SimPoolChunk *chunk_new(uint64_t start, uint64_t end)
{
	SimPoolChunk *c = g_new0(SimPoolChunk, 1);

	c->start = start;
	c->end = end;
	c->hits = g_ptr_array_new_with_free_func(hit_free);
	return c;
}

static gint cmp_u64(gconstpointer a, gconstpointer b, gpointer unused)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* --------------------------------------------------------------- I/O -- */

static gboolean write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return FALSE;
		p += k;
		n -= (size_t)k;
	}
	return TRUE;
}

static gboolean read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t k = read(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return FALSE;
		p += k;
		n -= (size_t)k;
	}
	return TRUE;
}

/* ------------------------------------------------------------- worker -- */

typedef struct {
	PoolShm *shm;
	SimWorld *w;
} FatalCtx;

/* The worker's last words, in signal context: plain stores and copies. */
static void worker_fatal(int sig, const siginfo_t *si, void *arg)
{
	FatalCtx *c = arg;
	PoolShm *m = c->shm;
	const GArray *s = c->w->schedule;
	uint32_t n = s ? s->len : 0;

	m->sig = sig;
	m->code = si ? si->si_code : 0;
	m->addr = si ? (uint64_t)(uintptr_t)si->si_addr : 0;
	sim_stack_capture(&m->stack, 0);
	if (n > POOL_MAX_DECISIONS) {
		n = POOL_MAX_DECISIONS;
		m->truncated = 1;
	}
	if (n)
		memcpy(m->decisions, s->data, n * sizeof(uint32_t));
	m->ndecisions = n;
	m->dead = 1;
}

static void put_u64(GByteArray *b, uint64_t v)
{
	g_byte_array_append(b, (const guint8 *)&v, sizeof(v));
}

static void put_u32(GByteArray *b, uint32_t v)
{
	g_byte_array_append(b, (const guint8 *)&v, sizeof(v));
}

/* Run one range; append its message to @msg. */
static void worker_range(const SimPoolConfig *cfg, PoolShm *shm,
			 const Range *r, GByteArray *msg)
{
	g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func(hit_free);

	for (uint64_t slot = r->start; slot < r->end; slot++) {
		uint64_t i = sim_pool_execution(cfg, slot);
		SimEnd end;
		char *sig;
		guint k;

		shm->slot_plus1 = slot + 1;
		end = sim_world_run(cfg->w, cfg->strategy, cfg->seed, i,
				    cfg->init, cfg->init_arg);
		if (end == SIM_END_CLEAN)
			continue;
		sig = sim_report_signature(cfg->w);
		for (k = 0; k < hits->len; k++) {
			SimPoolHit *h = hits->pdata[k];

			if (strcmp(h->sig, sig) == 0) {
				h->count++;
				break;
			}
		}
		if (k < hits->len) {
			g_free(sig);
			continue;
		}
		SimPoolHit *h = g_new0(SimPoolHit, 1);

		h->sig = sig;
		h->count = 1;
		h->first = i;
		g_ptr_array_add(hits, h);
	}
	shm->slot_plus1 = 0;
	put_u64(msg, r->start);
	put_u64(msg, r->end);
	put_u32(msg, hits->len);
	for (guint k = 0; k < hits->len; k++) {
		const SimPoolHit *h = hits->pdata[k];
		uint32_t len = (uint32_t)strlen(h->sig);

		put_u64(msg, h->count);
		put_u64(msg, h->first);
		put_u32(msg, len);
		g_byte_array_append(msg, (const guint8 *)h->sig, len);
	}
}

static _Noreturn void worker_main(const SimPoolConfig *cfg, int cmd_fd,
				  int res_fd, PoolShm *shm)
{
	/* The hook outlives this frame only as long as the process. */
	static FatalCtx ctx;
	g_autoptr(GByteArray) msg = g_byte_array_new();
	Range r;

	ctx = (FatalCtx){ .shm = shm, .w = cfg->w };
	sim_crash_set_fatal_hook(worker_fatal, &ctx);
	while (read_full(cmd_fd, &r, sizeof(r))) {
		g_byte_array_set_size(msg, 0);
		worker_range(cfg, shm, &r, msg);
		if (!write_full(res_fd, msg->data, msg->len))
			break;
	}
	_exit(0);
}

/* ------------------------------------------------------------- parent -- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static gboolean spawn(Pool *p, unsigned j)
{
	const SimPoolConfig *cfg = p->cfg;
	Worker *wk = &p->workers[j];
	int cmd[2], res[2];
	pid_t pid;

	if (pipe2(cmd, O_CLOEXEC) < 0)
		goto fail;
	if (pipe2(res, O_CLOEXEC) < 0) {
		close(cmd[0]);
		close(cmd[1]);
		goto fail;
	}
	memset(wk->shm, 0, offsetof(PoolShm, decisions));
	/* Buffered output would be written twice, once by each process. */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(cmd[0]);
		close(cmd[1]);
		close(res[0]);
		close(res[1]);
		goto fail;
	}
	if (pid == 0) {
		/* Only this worker's ends: another worker's result pipe held
		 * open here would hide that worker's death from the parent. */
		for (unsigned k = 0; k < cfg->jobs; k++) {
			close_fd(&p->workers[k].cmd_fd);
			close_fd(&p->workers[k].res_fd);
		}
		close(cmd[1]);
		close(res[0]);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != p->parent)
			_exit(0);
		worker_main(cfg, cmd[0], res[1], wk->shm);
	}
	close(cmd[0]);
	close(res[1]);
	fcntl(res[0], F_SETFL, fcntl(res[0], F_GETFL) | O_NONBLOCK);
	wk->pid = pid;
	wk->cmd_fd = cmd[1];
	wk->res_fd = res[0];
	g_byte_array_set_size(wk->in, 0);
	g_array_set_size(wk->assigned, 0);
	return TRUE;
fail:
	g_set_error(&p->error, SIM_POOL_ERROR, 0, "cannot start a worker "
		    "process: %s", g_strerror(errno));
	return FALSE;
}

static gboolean work_left(const Pool *p)
{
	return p->pending->len ||
	       (!p->stopped && p->next_fresh < p->cfg->slots);
}

static gboolean next_range(Pool *p, Range *r)
{
	uint64_t size;

	if (p->pending->len) {
		*r = g_array_index(p->pending, Range, 0);
		g_array_remove_index(p->pending, 0);
		return TRUE;
	}
	if (p->stopped || p->next_fresh >= p->cfg->slots)
		return FALSE;
	size = p->cfg->range_size ? MAX(p->cfg->range_size(p->cfg->arg), 1) :
				    p->chunk;
	r->start = p->next_fresh;
	r->end = p->cfg->slots - r->start > size ? r->start + size :
						   p->cfg->slots;
	p->next_fresh = r->end;
	return TRUE;
}

static gint cmp_range(gconstpointer a, gconstpointer b)
{
	const Range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static void requeue(Pool *p, uint64_t start, uint64_t end)
{
	Range r = { start, end };

	if (start < end) {
		g_array_append_val(p->pending, r);
		g_array_sort(p->pending, cmp_range);
	}
}

static void feed(Pool *p, Worker *wk)
{
	Range r;

	while (wk->pid && wk->assigned->len < OUTSTANDING &&
	       next_range(p, &r)) {
		if (!write_full(wk->cmd_fd, &r, sizeof(r))) {
			/* It died; its end of file tells the rest. */
			requeue(p, r.start, r.end);
			return;
		}
		g_array_append_val(wk->assigned, r);
	}
}

/* Hand finished ranges to the caller in slot order. */
static int commit_ready(Pool *p)
{
	SimPoolChunk *c;

	while ((c = g_tree_lookup(p->done, &p->committed))) {
		int rc;

		g_tree_steal(p->done, &c->start);
		rc = p->cfg->commit(p->cfg->arg, c);
		p->committed = c->end;
		chunk_free(c);
		if (rc)
			return rc;
	}
	return 0;
}

static void add_done(Pool *p, SimPoolChunk *c)
{
	p->ran += c->end - c->start;
	g_tree_insert(p->done, &c->start, c);
}

/* Parse the complete messages in @wk->in. FALSE on a protocol error. */
static gboolean parse_messages(Pool *p, Worker *wk)
{
	for (;;) {
		const guint8 *b = wk->in->data;
		gsize len = wk->in->len, pos = 20;
		uint64_t start, end;
		uint32_t n;
		SimPoolChunk *c;

		if (len < pos)
			return TRUE;
		memcpy(&start, b, 8);
		memcpy(&end, b + 8, 8);
		memcpy(&n, b + 16, 4);
		/* Whole message there? */
		for (uint32_t k = 0; k < n; k++) {
			uint32_t sl;

			if (len < pos + 20)
				return TRUE;
			memcpy(&sl, b + pos + 16, 4);
			pos += 20 + sl;
			if (len < pos)
				return TRUE;
		}
		if (!wk->assigned->len ||
		    g_array_index(wk->assigned, Range, 0).start != start ||
		    g_array_index(wk->assigned, Range, 0).end != end)
			return FALSE;
		g_array_remove_index(wk->assigned, 0);
		c = chunk_new(start, end);
		pos = 20;
		for (uint32_t k = 0; k < n; k++) {
			SimPoolHit *h = g_new0(SimPoolHit, 1);
			uint32_t sl;

			memcpy(&h->count, b + pos, 8);
			memcpy(&h->first, b + pos + 8, 8);
			memcpy(&sl, b + pos + 16, 4);
			h->sig = g_strndup((const char *)b + pos + 20, sl);
			pos += 20 + sl;
			g_ptr_array_add(c->hits, h);
		}
		g_byte_array_remove_range(wk->in, 0, (guint)pos);
		add_done(p, c);
		p->fruitless = 0;
	}
}

/* The one-slot range of an execution its worker died in. */
static SimPoolChunk *crash_chunk(Pool *p, const PoolShm *m, uint64_t slot,
				 int status)
{
	SimPoolChunk *c = chunk_new(slot, slot + 1);
	SimPoolCrash *k = g_new0(SimPoolCrash, 1);

	k->execution = sim_pool_execution(p->cfg, slot);
	if (WIFSIGNALED(status))
		k->sig = WTERMSIG(status);
	else if (WIFEXITED(status))
		k->exit_status = WEXITSTATUS(status);
	if (m->dead) {
		if (!k->sig)
			k->sig = m->sig;
		k->code = m->code;
		k->addr = m->addr;
		k->have_stack = TRUE;
		k->stack = m->stack;
		k->decisions = g_array_sized_new(FALSE, FALSE,
						 sizeof(uint32_t),
						 m->ndecisions);
		g_array_append_vals(k->decisions, m->decisions,
				    m->ndecisions);
		k->truncated = m->truncated != 0;
	}
	c->crash = k;
	return c;
}

/* @wk's result pipe reached its end: the worker is gone. */
static gboolean worker_gone(Pool *p, Worker *wk)
{
	const PoolShm *m = wk->shm;
	uint64_t in_slot = m->slot_plus1;
	int status = 0;
	guint k = 0;

	while (waitpid(wk->pid, &status, 0) < 0 && errno == EINTR)
		;
	wk->pid = 0;
	close_fd(&wk->cmd_fd);
	close_fd(&wk->res_fd);
	if (in_slot && wk->assigned->len) {
		const Range *r = &g_array_index(wk->assigned, Range, 0);
		uint64_t slot = in_slot - 1;

		if (slot >= r->start && slot < r->end) {
			requeue(p, r->start, slot);
			requeue(p, slot + 1, r->end);
			add_done(p, crash_chunk(p, m, slot, status));
			p->fruitless = 0;
			k = 1;
		}
	}
	if (!k && (wk->assigned->len || !WIFEXITED(status) ||
		   WEXITSTATUS(status) != 0) && ++p->fruitless > MAX_FRUITLESS) {
		char buf[16];

		g_set_error(&p->error, SIM_POOL_ERROR, 0, "worker processes "
			    "keep dying outside any execution (last: %s)",
			    WIFSIGNALED(status) ?
			    sim_crash_signal_name(WTERMSIG(status), buf,
						  sizeof(buf)) : "exit");
		return FALSE;
	}
	for (; k < wk->assigned->len; k++) {
		const Range *r = &g_array_index(wk->assigned, Range, k);

		requeue(p, r->start, r->end);
	}
	g_array_set_size(wk->assigned, 0);
	return TRUE;
}

/* Read what @wk sent; FALSE on a protocol error or a fatal death. */
static gboolean drain(Pool *p, Worker *wk)
{
	guint8 buf[65536];

	for (;;) {
		ssize_t k = read(wk->res_fd, buf, sizeof(buf));

		if (k > 0) {
			g_byte_array_append(wk->in, buf, (guint)k);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			break;
		/* End of file (or an error): parse what came, then bury. */
		if (!parse_messages(p, wk))
			goto protocol;
		return worker_gone(p, wk);
	}
	if (parse_messages(p, wk))
		return TRUE;
protocol:
	g_set_error(&p->error, SIM_POOL_ERROR, 0, "worker %d sent a message "
		    "out of order", (int)wk->pid);
	return FALSE;
}

static void stop_all(Pool *p, gboolean kill_them)
{
	for (unsigned j = 0; j < p->cfg->jobs; j++) {
		Worker *wk = &p->workers[j];
		int status;

		if (!wk->pid)
			continue;
		if (kill_them)
			kill(wk->pid, SIGKILL);
		close_fd(&wk->cmd_fd);	/* end of file: exit */
		while (waitpid(wk->pid, &status, 0) < 0 && errno == EINTR)
			;
		close_fd(&wk->res_fd);
		wk->pid = 0;
	}
}

static int pool_loop(Pool *p)
{
	const SimPoolConfig *cfg = p->cfg;
	g_autofree struct pollfd *fds = g_new0(struct pollfd, cfg->jobs);
	g_autofree unsigned *who = g_new0(unsigned, cfg->jobs);
	int rc;

	for (;;) {
		gboolean busy = FALSE;
		nfds_t n = 0;

		for (unsigned j = 0; j < cfg->jobs; j++) {
			Worker *wk = &p->workers[j];

			if (!wk->pid && work_left(p) && !spawn(p, j))
				return -1;
			feed(p, wk);
			if (wk->pid && wk->assigned->len)
				busy = TRUE;
			if (wk->pid) {
				fds[n] = (struct pollfd){ .fd = wk->res_fd,
							  .events = POLLIN };
				who[n++] = j;
			}
		}
		if (!busy && !work_left(p))
			break;
		if (poll(fds, n, TICK_MS) < 0 && errno != EINTR) {
			g_set_error(&p->error, SIM_POOL_ERROR, 0, "poll: %s",
				    g_strerror(errno));
			return -1;
		}
		for (nfds_t i = 0; i < n; i++)
			if (fds[i].revents &&
			    !drain(p, &p->workers[who[i]]))
				return -1;
		rc = commit_ready(p);
		if (rc)
			return rc;
		if (cfg->tick && cfg->tick(cfg->arg, p->ran))
			p->stopped = TRUE;
	}
	g_assert(g_tree_nnodes(p->done) == 0);
	return 0;
}

int sim_pool_run(const SimPoolConfig *cfg, uint64_t *slots_run,
		 GError **error)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	Pool p = { .cfg = cfg };
	size_t shm_size = sizeof(PoolShm);
	int rc;

	g_assert(cfg->jobs >= 1 && cfg->jobs <= SIM_POOL_MAX_JOBS);
	g_assert(cfg->shard_n >= 1 && cfg->shard_k < cfg->shard_n);
	p.chunk = cfg->chunk;
	if (!p.chunk)
		p.chunk = cfg->slots == UINT64_MAX ? MAX_CHUNK :
			  CLAMP(cfg->slots / (cfg->jobs * 8), 1, MAX_CHUNK);
	p.parent = getpid();
	p.pending = g_array_new(FALSE, FALSE, sizeof(Range));
	p.done = g_tree_new_full(cmp_u64, NULL, NULL,
				 (GDestroyNotify)chunk_free);
	p.workers = g_new0(Worker, cfg->jobs);
	for (unsigned j = 0; j < cfg->jobs; j++) {
		Worker *wk = &p.workers[j];

		wk->cmd_fd = wk->res_fd = -1;
		wk->in = g_byte_array_new();
		wk->assigned = g_array_new(FALSE, FALSE, sizeof(Range));
		wk->shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		g_assert(wk->shm != MAP_FAILED);
	}
	/* A worker that dies must not take the parent with it when the
	 * parent next writes to its pipe. */
	sigaction(SIGPIPE, &ign, &old);
	rc = pool_loop(&p);
	stop_all(&p, rc != 0);
	sigaction(SIGPIPE, &old, NULL);

	if (rc < 0)
		g_propagate_error(error, g_steal_pointer(&p.error));
	g_clear_error(&p.error);
	*slots_run = p.committed;
	for (unsigned j = 0; j < cfg->jobs; j++) {
		munmap(p.workers[j].shm, shm_size);
		g_byte_array_unref(p.workers[j].in);
		g_array_unref(p.workers[j].assigned);
	}
	g_free(p.workers);
	g_tree_destroy(p.done);
	g_array_unref(p.pending);
	return rc;
}
