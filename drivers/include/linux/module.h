/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/module.h>. Customised for the harness: module_init() and
 * module_exit() record the functions in the "hvsim_initcalls" and
 * "hvsim_exitcalls" sections under KBUILD_MODNAME, and the scenario's init
 * task calls them in the order the scenario lists the modules. MODULE_*
 * metadata macros expand to nothing.
 */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <hvsim/driver.h>
#include <linux/init.h>

#ifndef KBUILD_MODNAME
#error "KBUILD_MODNAME must be set by drivers/meson.build"
#endif

#define module_init(initfn)						\
	static const struct hvsim_initcall __hvsim_initcall_##initfn	\
	__attribute__((section("hvsim_initcalls"), used, aligned(8))) =	\
		{ KBUILD_MODNAME, initfn }

#define module_exit(exitfn)						\
	static const struct hvsim_exitcall __hvsim_exitcall_##exitfn	\
	__attribute__((section("hvsim_exitcalls"), used, aligned(8))) =	\
		{ KBUILD_MODNAME, exitfn }

#define subsys_initcall(fn)	module_init(fn)

#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define MODULE_VERSION(x)
#define MODULE_DEVICE_TABLE(type, name)
#define MODULE_PARM_DESC(name, desc)
#define module_param(name, type, perm)
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define THIS_MODULE ((struct module *)0)

struct module;

#endif /* _LINUX_MODULE_H */
