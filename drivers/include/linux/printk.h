/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/printk.h>. Customised for the harness: printk() and the
 * pr_*() family never write to stdout. Each call records a SIM_TR_PRINTK
 * trace event whose name is the (unformatted) format string and whose
 * argument is the log level, and appends the formatted line, with a
 * virtual-time stamp, to the world's console log of the current execution
 * (sim_kapi_console()). printk is NOT a scheduling point: logging must not
 * change which interleavings exist.
 *
 * As in the kernel, pr_debug() compiles to nothing unless DEBUG is defined,
 * and pr_fmt() may be defined by a driver before its first include.
 */
#ifndef _LINUX_PRINTK_H
#define _LINUX_PRINTK_H

#include <linux/compiler.h>
#include <sim/sim.h>

#define KERN_SOH	"\001"
#define KERN_SOH_ASCII	'\001'
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_DEFAULT	""
#define KERN_CONT	KERN_SOH "c"

#define LOGLEVEL_DEFAULT	-1
#define LOGLEVEL_EMERG		0
#define LOGLEVEL_ALERT		1
#define LOGLEVEL_CRIT		2
#define LOGLEVEL_ERR		3
#define LOGLEVEL_WARNING	4
#define LOGLEVEL_NOTICE		5
#define LOGLEVEL_INFO		6
#define LOGLEVEL_DEBUG		7

/*
 * sim_kapi_printk - log one message of @level (LOGLEVEL_*, or -1 to take
 * it from a KERN_* prefix of @fmt, default LOGLEVEL_WARNING) on behalf of
 * driver function @func. @fmt must be a string literal (it is kept in the
 * trace unformatted). A no-op when @w is NULL (engine context). Never a
 * scheduling point. Also used by dev_err()/dev_info() (<linux/device.h>).
 */
void sim_kapi_printk(SimWorld *w, int level, const char *func,
		     const char *fmt, ...) __printf(4, 5);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define printk(fmt, ...)						\
	({								\
		sim_kapi_printk(sim_current_world(), LOGLEVEL_DEFAULT,	\
				__func__, fmt, ##__VA_ARGS__);		\
		0;							\
	})

/* Type-checks the arguments, emits nothing. */
#define no_printk(fmt, ...)						\
	({								\
		if (0)							\
			printk(fmt, ##__VA_ARGS__);			\
		0;							\
	})

#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warning(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	printk(KERN_CONT fmt, ##__VA_ARGS__)

#ifdef DEBUG
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...)	no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif
#define pr_devel(fmt, ...)	pr_debug(fmt, ##__VA_ARGS__)

/*
 * Rate limits and "once" variants print every time: an execution is short
 * and its console log is bounded.
 */
#define pr_err_once(fmt, ...)		pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_once(fmt, ...)		pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_once(fmt, ...)		pr_info(fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define printk_ratelimit()		1

#endif /* _LINUX_PRINTK_H */
