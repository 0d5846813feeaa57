// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the call stacks of reports: capture with a real
 * unwinder (libunwind, local unwinding only) and symbolisation with the
 * debug information of the running binaries (elfutils libdwfl/libdw), in
 * the kernel's decoded format:
 *
 *   " hv_ringbuffer_write+0x5c/0x1a0 drivers/hv/ring_buffer.c:262"
 *   " __vmbus_free_ring drivers/hv/channel.c:120 [inline]"
 *
 * It sits between the detectors, which capture stacks where a bug happens
 * (sim_stack_capture(), cheap: raw return addresses only), and the report
 * formatter (sim/report.c), which symbolises them after the execution.
 *
 * Which frames are the engine's is decided at format time, not at capture
 * time: capture stays a plain unwind (no symbol lookups on the hot path of
 * alloc/free stacks), and the unwound frames keep every frame, engine ones
 * included, up to SIM_STACK_MAX. A frame is the engine's when
 *  - its symbol starts with "sim_" (so "sim__" too), "__asan_" or "hvsim_",
 *    or is the process entry "_start";
 *  - its function is defined in a file of sim/ other than sim/kapi/ (so
 *    static engine helpers such as the task's entry function count too;
 *    the kernel-API shim in sim/kapi/ plays the kernel and stays visible,
 *    as mutex_lock or process_one_work do in kernel traces);
 *  - or it lies in libc, the dynamic loader or libunwind.
 * Engine frames innermost are dropped (the detector's own machinery); the
 * first engine frame after a kept frame ends the trace: everything beyond it
 * is the engine that called into simulated code (the task trampoline, the
 * event loop, the CLI), which the kernel's traces have no equivalent for.
 *
 * A return address is looked up as pc - 1 so that a call at the very end
 * of a function (a noreturn call) is attributed to its caller's line. The
 * one frame that is not a return address is the interrupted frame of a
 * signal (a fault in driver code): capture marks it with SIM_PC_EXACT (bit
 * 63, never set in a user-space address) and it is looked up as is.
 *
 * The one process-wide value in this file is the libdwfl session (Dwfl):
 * a cache of the debug information of the binaries mapped in this process,
 * created on first use and kept for the life of the process. It is not
 * simulation state: it never decides anything, and what it prints is a
 * function of the binaries alone (module-relative offsets, paths relative
 * to the source tree), so symbolisation is deterministic for a given build.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "sim/report.h"

#ifndef HVSIM_SOURCE_ROOT
#define HVSIM_SOURCE_ROOT ""
#endif

/* Marks a pc that is exact (a faulting instruction), not a return address. */
#define SIM_PC_EXACT	((uintptr_t)1 << 63)

/* Inline levels printed per frame; deeper levels are folded into the next. */
#define MAX_INLINE	8

/* --------------------------------------------------------------- capture -- */

/*
 * Is @ip the signal return trampoline (libc's __restore_rt: "mov $15,%rax;
 * syscall")? The frame after it is the interrupted one, whose pc is exact.
 * Recognised by its code rather than by unw_is_signal_frame(), whose answer
 * refers to a different frame across libunwind versions.
 */
static bool is_sigreturn(uintptr_t ip)
{
	static const unsigned char restore_rt[] = {
		0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, /* mov $15,%rax */
		0x0f, 0x05,				  /* syscall */
	};

	return memcmp((const void *)ip, restore_rt,
		      sizeof(restore_rt)) == 0;
}

/*
 * unw_backtrace() is libunwind's fast path: it caches how each frame is
 * laid out and walks frame pointers and saved registers without
 * interpreting DWARF once warm (tens of nanoseconds for a short stack,
 * against microseconds for an unw_step() loop). It stops where the CFI
 * says the return address is undefined: the task trampoline, _start.
 */
void sim_stack_capture(SimStack *s, int skip)
{
	void *buf[2 * SIM_STACK_MAX];
	bool after_signal = false;
	int n, i;

	/* The first frame is this function. */
	skip = CLAMP(skip, 0, SIM_STACK_MAX) + 1;
	n = unw_backtrace(buf, G_N_ELEMENTS(buf));
	s->n = 0;
	for (i = skip; i < n && s->n < SIM_STACK_MAX; i++) {
		uintptr_t ip = (uintptr_t)buf[i];
		bool sig;

		if (ip == 0)
			break;
		sig = is_sigreturn(ip);
		if (!sig)
			s->pc[s->n++] = ip | (after_signal ? SIM_PC_EXACT : 0);
		after_signal = sig;
	}
}

/* ------------------------------------------------------------ symboliser -- */

/*
 * Only the debug information inside the binaries themselves: no separate
 * debuginfo files and never debuginfod, so output does not depend on which
 * -dbg packages are installed or on the network. Our own binaries carry
 * their DWARF (libdwfl does not call this for a file that has it).
 */
static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata,
				 const char *modname, Dwarf_Addr base,
				 const char *file_name,
				 const char *debuglink_file,
				 GElf_Word debuglink_crc,
				 char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = no_separate_debuginfo,
};

/* The debug-info cache (see the top of the file); per process, so a forked
 * explorer worker builds its own. */
static struct {
	Dwfl *dwfl;
	pid_t pid;
} symcache;

static void symcache_report(void)
{
	dwfl_report_begin(symcache.dwfl);
	dwfl_linux_proc_report(symcache.dwfl, symcache.pid);
	dwfl_report_end(symcache.dwfl, NULL, NULL);
}

static Dwfl *symcache_get(void)
{
	pid_t pid = getpid();

	if (symcache.dwfl && symcache.pid == pid)
		return symcache.dwfl;
	if (symcache.dwfl)
		dwfl_end(symcache.dwfl);
	symcache.dwfl = dwfl_begin(&dwfl_callbacks);
	symcache.pid = pid;
	if (symcache.dwfl)
		symcache_report();
	return symcache.dwfl;
}

/* A module for @addr; re-reads the process's mappings once per call of the
 * formatter if the address is in none (a library loaded since). */
static Dwfl_Module *module_at(Dwfl *d, Dwarf_Addr addr, bool *refreshed)
{
	Dwfl_Module *mod = dwfl_addrmodule(d, addr);

	if (!mod && !*refreshed) {
		*refreshed = true;
		symcache_report();
		mod = dwfl_addrmodule(d, addr);
	}
	return mod;
}

/* ------------------------------------------------------------ file names -- */

/* Lexically normalise an absolute or relative path: drop "." and empty
 * components, fold "dir/.." (never touching the file system). */
static char *normalize_path(const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	GPtrArray *keep = g_ptr_array_new();
	bool absolute = path[0] == '/';
	GString *out = g_string_new(absolute ? "/" : "");
	guint i;

	for (i = 0; parts[i]; i++) {
		const char *p = parts[i];

		if (!*p || strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (keep->len &&
			    strcmp(g_ptr_array_index(keep, keep->len - 1),
				   "..") != 0) {
				g_ptr_array_set_size(keep, keep->len - 1);
				continue;
			}
			if (absolute)
				continue;	/* "/.." is "/" */
		}
		g_ptr_array_add(keep, (gpointer)p);
	}
	for (i = 0; i < keep->len; i++) {
		if (i)
			g_string_append_c(out, '/');
		g_string_append(out, g_ptr_array_index(keep, i));
	}
	g_ptr_array_free(keep, TRUE);
	return g_string_free(out, FALSE);
}

/* @path relative to the source tree, as the kernel prints file names. */
static char *source_relative(const char *path)
{
	g_autofree char *norm = normalize_path(path);
	g_autofree char *root = normalize_path(HVSIM_SOURCE_ROOT);
	size_t rlen = strlen(root);
	const char *p = norm;

	if (rlen > 1 && strncmp(p, root, rlen) == 0 && p[rlen] == '/')
		p += rlen + 1;
	while (strncmp(p, "../", 3) == 0)
		p += 3;
	return g_strdup(p);
}

/* ---------------------------------------------------------------- frames -- */

typedef struct {
	const char *name;	/* libdw/libelf string, lives with the Dwfl */
	char *file;		/* source-relative, owned; NULL if unknown */
	int line;
} FrameLoc;

/* What one pc resolves to. */
typedef struct {
	bool has_module;
	uint64_t module_off;	/* pc - module start: stable across runs */
	const char *sym;	/* ELF symbol of the real function, or NULL */
	uint64_t off, size;
	bool engine;
	int ninline;
	FrameLoc inl[MAX_INLINE];	/* inlined callees, innermost first */
	FrameLoc fn;			/* where in the real function */
} Frame;

static bool name_is_engine(const char *name)
{
	return name && (g_str_has_prefix(name, "sim_") ||
			g_str_has_prefix(name, "__asan_") ||
			g_str_has_prefix(name, "hvsim_") ||
			strcmp(name, "_start") == 0);
}

/* Engine source files: sim/ except the kernel-API shim, sim/kapi/. */
static bool file_is_engine(const char *decl_file)
{
	g_autofree char *rel = NULL;

	if (!decl_file)
		return false;
	rel = source_relative(decl_file);
	return g_str_has_prefix(rel, "sim/") &&
	       !g_str_has_prefix(rel, "sim/kapi/");
}

static bool module_is_runtime(const char *modname)
{
	const char *base;

	if (!modname)
		return false;
	base = strrchr(modname, '/');
	base = base ? base + 1 : modname;
	return g_str_has_prefix(base, "libc.so") ||
	       g_str_has_prefix(base, "libc-") ||
	       g_str_has_prefix(base, "ld-linux") ||
	       g_str_has_prefix(base, "libunwind");
}

static void loc_set(FrameLoc *l, const char *name, const char *file, int line)
{
	l->name = name;
	l->file = file ? source_relative(file) : NULL;
	l->line = line;
}

static void frame_clear(Frame *f)
{
	int i;

	for (i = 0; i < f->ninline; i++)
		g_free(f->inl[i].file);
	g_free(f->fn.file);
}

/* The call site (DW_AT_call_file/line) of an inlined instance. */
static void call_site(Dwarf_Die *die, Dwarf_Files *files, size_t nfiles,
		      const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word val;

	*file = NULL;
	*line = 0;
	if (files && dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr),
				     &val) == 0 && val < nfiles)
		*file = dwarf_filesrc(files, val, NULL, NULL);
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &val) == 0)
		*line = (int)val;
}

/*
 * Walk the DWARF scopes around @lookup from the innermost out, as
 * eu-addr2line -i does: each inlined_subroutine is one " [inline]" line
 * located where the code is (line table) or where the inner inline was
 * called; the enclosing subprogram is the real function, located at the
 * call site of its outermost inlined callee.
 */
static void frame_scopes(Frame *f, Dwfl_Module *mod, Dwarf_Addr lookup,
			 const char *file, int line)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie = dwfl_module_addrdie(mod, lookup, &bias);
	Dwarf_Die *scopes = NULL, inner;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	int n, i;

	if (!cudie || dwarf_getscopes(cudie, lookup - bias, &scopes) <= 0) {
		free(scopes);
		loc_set(&f->fn, f->sym, file, line);
		return;
	}
	inner = scopes[0];
	free(scopes);
	scopes = NULL;
	n = dwarf_getscopes_die(&inner, &scopes);
	if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
		files = NULL;
	for (i = 0; i < n; i++) {
		Dwarf_Die *die = &scopes[i];
		int tag = dwarf_tag(die);

		if (tag == DW_TAG_inlined_subroutine) {
			if (f->ninline < MAX_INLINE)
				loc_set(&f->inl[f->ninline++],
					dwarf_diename(die), file, line);
			call_site(die, files, nfiles, &file, &line);
		} else if (tag == DW_TAG_subprogram) {
			if (file_is_engine(dwarf_decl_file(die)))
				f->engine = true;
			if (!f->sym)
				f->sym = dwarf_diename(die);
			break;
		}
	}
	free(scopes);
	loc_set(&f->fn, f->sym, file, line);
}

static void frame_resolve(Dwfl *d, uintptr_t raw, bool *refreshed, Frame *f)
{
	bool exact = raw & SIM_PC_EXACT;
	uintptr_t pc = raw & ~SIM_PC_EXACT;
	Dwarf_Addr lookup = exact || pc == 0 ? pc : pc - 1;
	Dwfl_Module *mod;
	Dwarf_Addr mstart = 0;
	const char *modname, *sym, *file = NULL;
	GElf_Off off = 0;
	GElf_Sym s;
	Dwfl_Line *l;
	int line = 0;

	memset(f, 0, sizeof(*f));
	mod = d ? module_at(d, lookup, refreshed) : NULL;
	if (!mod)
		return;
	modname = dwfl_module_info(mod, NULL, &mstart, NULL, NULL, NULL,
				   NULL, NULL);
	f->has_module = true;
	f->module_off = pc - mstart;
	f->engine = module_is_runtime(modname);
	sym = dwfl_module_addrinfo(mod, lookup, &off, &s, NULL, NULL, NULL);
	if (sym) {
		f->sym = sym;
		/* Printed like the kernel's %pS: the offset of the pc itself
		 * (a return address) from the start of the symbol. */
		f->off = pc - (lookup - off);
		f->size = s.st_size;
		if (name_is_engine(sym))
			f->engine = true;
	}
	l = dwfl_module_getsrc(mod, lookup);
	if (l)
		file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	frame_scopes(f, mod, lookup, file, line);
}

static void loc_append(GString *out, const FrameLoc *l)
{
	if (l->file && l->line > 0)
		g_string_append_printf(out, " %s:%d", l->file, l->line);
	else if (l->file)
		g_string_append_printf(out, " %s", l->file);
}

static void frame_append(GString *out, const Frame *f)
{
	int i;

	for (i = 0; i < f->ninline; i++) {
		const FrameLoc *l = &f->inl[i];

		if (!l->name || name_is_engine(l->name))
			continue;
		g_string_append_printf(out, " %s", l->name);
		loc_append(out, l);
		g_string_append(out, " [inline]\n");
	}
	if (f->sym) {
		g_string_append_printf(out, " %s+0x%" PRIx64 "/0x%" PRIx64,
				       f->sym, f->off, f->size);
		loc_append(out, &f->fn);
		g_string_append_c(out, '\n');
	} else if (f->has_module) {
		g_string_append_printf(out, " 0x%" PRIx64 " (?)\n",
				       f->module_off);
	} else {
		g_string_append(out, " ? (?)\n");
	}
}

/*
 * Call @fn on every frame of @s that is shown, innermost first, until it
 * returns FALSE. Applies the engine-frame rule of the top of this file.
 */
static void stack_walk(const SimStack *s,
		       gboolean (*fn)(const Frame *f, void *data), void *data)
{
	Dwfl *d = symcache_get();
	bool refreshed = false, kept = false;
	int i;

	for (i = 0; i < s->n; i++) {
		Frame f;
		gboolean more;

		frame_resolve(d, s->pc[i], &refreshed, &f);
		if (f.engine) {
			frame_clear(&f);
			if (kept)
				break;
			continue;
		}
		kept = true;
		more = fn(&f, data);
		frame_clear(&f);
		if (!more)
			break;
	}
}

static gboolean format_one(const Frame *f, void *data)
{
	frame_append(data, f);
	return TRUE;
}

void sim_stack_format(GString *out, const SimStack *s)
{
	if (s)
		stack_walk(s, format_one, out);
}

typedef struct {
	char *buf;
	size_t len;
	bool found;
} TopFunc;

/* The innermost source-level function: an inlined callee if the pc is in
 * one (where the code that struck is written), else the real function. */
static gboolean top_one(const Frame *f, void *data)
{
	TopFunc *t = data;
	const char *name = f->sym;
	int i;

	for (i = 0; i < f->ninline; i++) {
		if (f->inl[i].name && !name_is_engine(f->inl[i].name)) {
			name = f->inl[i].name;
			break;
		}
	}
	if (!name)
		return TRUE;	/* unknown frame: look further out */
	g_strlcpy(t->buf, name, t->len);
	t->found = true;
	return FALSE;
}

/*
 * What sim_stack_top_func() needs of one pc, remembered: a detector asks
 * for the function that struck on every report, and an explorer meets
 * the same few pcs thousands of times, each lookup a DWARF scope walk
 * (~100 us). A function of the binaries alone, like the Dwfl it comes
 * from; kept with it, for the life of the process. A pc in no module is
 * not remembered: a library loaded later may claim it.
 */
typedef struct {
	bool engine;
	char *name;		/* top_one()'s name, or NULL: look further */
} TopMemo;

static void top_memo_free(gpointer p)
{
	TopMemo *m = p;

	g_free(m->name);
	g_free(m);
}

static const TopMemo *top_memo(uintptr_t raw, TopMemo *scratch)
{
	static GHashTable *memo;	/* raw pc -> TopMemo; lookup only */
	Dwfl *d = symcache_get();
	bool refreshed = false;
	TopFunc t = { NULL, 0, false };
	char buf[256];
	TopMemo *m;
	Frame f;

	if (!memo)
		memo = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					     NULL, top_memo_free);
	m = g_hash_table_lookup(memo, (gpointer)raw);
	if (m)
		return m;
	frame_resolve(d, raw, &refreshed, &f);
	m = f.has_module ? g_new0(TopMemo, 1) : scratch;
	m->engine = f.engine;
	m->name = NULL;
	t.buf = buf;
	t.len = sizeof(buf);
	if (!f.engine) {
		top_one(&f, &t);
		if (t.found)
			m->name = g_strdup(buf);
	}
	frame_clear(&f);
	if (m != scratch)
		g_hash_table_insert(memo, (gpointer)raw, m);
	return m;
}

/* stack_walk() with top_one(), on remembered frames. */
const char *sim_stack_top_func(const SimStack *s, char *buf, size_t len)
{
	bool kept = false;
	int i;

	for (i = 0; s && i < s->n; i++) {
		TopMemo scratch = { 0 };
		const TopMemo *m = top_memo(s->pc[i], &scratch);
		bool found = m->name != NULL;

		if (found)
			g_strlcpy(buf, m->name, len);
		g_free(scratch.name);
		if (m->engine) {
			if (kept)
				break;
			continue;
		}
		kept = true;
		if (found)
			return buf;
	}
	g_strlcpy(buf, "?", len);
	return buf;
}
