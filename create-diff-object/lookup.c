// SPDX-License-Identifier: GPL-2.0
/*
 * lookup.c - the running kernel's symbols: parent symbol table with STT_FILE
 * blocks (for static symbols and sympos) and Module.symvers (exports).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"
#include "log.h"
#include "lookup.h"

const char parent_why_no_global[] = "no global symbol of that name in the parent";
const char parent_why_ambiguous[] = "ambiguous: several files of that name define it equally well";
const char parent_why_in_init[] = "it is in an init section (.init*) of the module, freed and dropped from kallsyms once the module's init finishes";
const char parent_why_init_clash[] = "the module also has a symbol of that name in an init section (.init*), which kallsyms lists only until the module's init finishes, so its position is not stable";
const char parent_why_stripped[] = "the parent is stripped: its symbol table has no STT_FILE symbols, so the file a static symbol belongs to cannot be known";

struct file_scores {
	const char *file;	/* the original object's STT_FILE name */
	size_t *scores;		/* per parent block; (size_t)-1: other name */
	size_t best;		/* (size_t)-1: no block of that name */
};

/*
 * Which symbols the kernel's kallsyms lists, so that sympos counts the same.
 * A module (kernel/module/kallsyms.c, is_core_symbol(), CONFIG_KALLSYMS_ALL
 * as livepatching needs): defined, named, a real section index, in an
 * SHF_ALLOC section (the per-CPU section counts although the loader clears
 * its SHF_ALLOC) that is not an init section (".init*", freed after init).
 * vmlinux (scripts/kallsyms.c on `nm` output): no absolute symbols, no
 * debugging symbols (non-SHF_ALLOC sections).
 */
struct parent_sections {
	size_t nr;
	GElf_Xword *flags;
	bool *init;
	bool *percpu;
};

static void read_sections(Elf *e, const char *path,
			  struct parent_sections *ps)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrnum(e, &ps->nr) || elf_getshdrstrndx(e, &shstrndx))
		fatal("%s: cannot read the section headers: %s", path,
		      elf_errmsg(-1));
	ps->flags = xcalloc(ps->nr + 1, sizeof(*ps->flags));
	ps->init = xcalloc(ps->nr + 1, sizeof(*ps->init));
	ps->percpu = xcalloc(ps->nr + 1, sizeof(*ps->percpu));
	while ((scn = elf_nextscn(e, scn))) {
		size_t i = elf_ndxscn(scn);
		const char *name;

		if (i >= ps->nr || !gelf_getshdr(scn, &sh))
			fatal("%s: cannot read a section header: %s", path,
			      elf_errmsg(-1));
		name = elf_strptr(e, shstrndx, sh.sh_name);
		ps->flags[i] = sh.sh_flags;
		ps->init[i] = name && !strncmp(name, ".init", 5);
		ps->percpu[i] = name && !strcmp(name, ".data..percpu");
	}
}

static void mark_listed(struct parent *parent,
			const struct parent_sections *secs,
			struct parent_symbol *ps, const GElf_Sym *sym)
{
	size_t shndx = sym->st_shndx;

	ps->listed = false;
	ps->in_init = false;
	if (sym->st_shndx == SHN_ABS || shndx >= secs->nr)
		return;
	if (parent->is_module) {
		if (secs->percpu[shndx]) {
			ps->listed = true;
			return;
		}
		if (secs->init[shndx] && (secs->flags[shndx] & SHF_ALLOC)) {
			ps->in_init = true;
			return;
		}
	}
	ps->listed = !!(secs->flags[shndx] & SHF_ALLOC);
}

/* "6.1.0-18-amd64" of "vermagic=6.1.0-18-amd64 SMP ..." in .modinfo */
static char *modinfo_release(Elf *e)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		const char *name, *p, *end;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".modinfo") ||
		    !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		for (p = d->d_buf, end = p + d->d_size; p < end;
		     p += strnlen(p, (size_t)(end - p)) + 1) {
			size_t len = strnlen(p, (size_t)(end - p));

			if (len > 9 && !strncmp(p, "vermagic=", 9) && p + len < end)
				return strndup(p + 9, strcspn(p + 9, " "));
		}
	}
	return NULL;
}

/* The release in ".../lib/modules/REL/..." or ".../vmlinux-REL" */
static char *path_release(const char *path)
{
	const char *p = strstr(path, "/lib/modules/"), *b = base_name(path);

	if (p && strchr(p + 13, '/'))
		return strndup(p + 13, strcspn(p + 13, "/"));
	if (!strncmp(b, "vmlinux-", 8) && b[8])
		return xstrdup(b + 8);
	return NULL;
}

const char *parent_stripped_advice(struct parent *parent)
{
	const char *rel = parent->kernel_release ? parent->kernel_release :
			  "<KVER>";

	if (parent->stripped_advice)
		return parent->stripped_advice;
	if (parent->is_module)
		parent->stripped_advice = xasprintf(
			"strip --strip-debug and INSTALL_MOD_STRIP remove them, as in the modules of /lib/modules; give PARENT_ELF with its symbols: on Debian install linux-image-%s-dbg and use /usr/lib/debug/lib/modules/%s/.../%s, otherwise the .ko of the kernel build",
			rel, rel, base_name(parent->path));
	else
		parent->stripped_advice = xasprintf(
			"give PARENT_ELF with its symbols: on Debian install linux-image-%s-dbg and use /usr/lib/debug/boot/vmlinux-%s, otherwise the vmlinux of the kernel build",
			rel, rel);
	return parent->stripped_advice;
}

static void release_parent(void *parent)
{
	parent_free(parent);
}

/* Close what parent_read() had open. */
static void parent_done_reading(struct parent *parent)
{
	if (parent->secs) {
		free(parent->secs->flags);
		free(parent->secs->init);
		free(parent->secs->percpu);
		free(parent->secs);
		parent->secs = NULL;
	}
	if (parent->handle)
		elf_end(parent->handle);
	parent->handle = NULL;
	if (parent->fd >= 0)
		close(parent->fd);
	parent->fd = -1;
	if (parent->text)
		fclose(parent->text);
	parent->text = NULL;
	free(parent->text_line);
	parent->text_line = NULL;
}

struct parent *parent_read(const char *path)
{
	struct parent *parent = xcalloc(1, sizeof(*parent));
	struct parent_sections *secs;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Ehdr eh;
	Elf_Data *data = NULL;
	size_t n = 0, i, strndx = 0;
	int block = -1;
	Elf *e;

	parent->fd = -1;
	log_defer(&parent->release, release_parent, parent);
	parent->path = xstrdup(path);
	if (parent_is_text(path)) {
		parent_read_text(parent, path);
		parent_done_reading(parent);
		return parent;
	}
	secs = parent->secs = xcalloc(1, sizeof(*secs));
	elf_version(EV_CURRENT);
	parent->fd = open(path, O_RDONLY);
	if (parent->fd < 0)
		fatal("%s: cannot open the parent object: %s", path,
		      strerror(errno));
	e = parent->handle = elf_begin(parent->fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		fatal("%s: the parent object is not an ELF file", path);
	parent->is_module = eh.e_type == ET_REL;
	parent->kernel_release = modinfo_release(e);
	if (!parent->kernel_release)
		parent->kernel_release = path_release(path);
	read_sections(e, path, secs);
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			fatal("%s: cannot read a section header: %s", path,
			      elf_errmsg(-1));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !sh.sh_entsize)
			fatal("%s: cannot read the symbol table: %s", path,
			      elf_errmsg(-1));
		n = sh.sh_size / sh.sh_entsize;
		strndx = sh.sh_link;
		break;
	}
	if (!data)
		fatal("%s: the parent object has no symbol table; %s", path,
		      parent_stripped_advice(parent));

	parent->syms = xcalloc(n ? n : 1, sizeof(*parent->syms));
	hash_init(&parent->by_name, n);
	for (i = 1; i < n; i++) {
		struct parent_symbol *ps;
		const char *name;
		GElf_Sym sym;
		unsigned char type;

		if (!gelf_getsym(data, (int)i, &sym) ||
		    !(name = elf_strptr(e, strndx, sym.st_name)))
			fatal("%s: cannot read symbol %zu: %s", path, i,
			      elf_errmsg(-1));
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_FILE) {
			parent->blocks = xrealloc(parent->blocks,
						  (parent->nr_blocks + 1) *
						  sizeof(*parent->blocks));
			parent->blocks[parent->nr_blocks].file =
				xstrdup(base_name(name));
			block = (int)parent->nr_blocks++;
			continue;
		}
		if (type == STT_SECTION || !*name || sym.st_shndx == SHN_UNDEF)
			continue;
		ps = &parent->syms[parent->nr_syms++];
		ps->name = xstrdup(name);
		ps->addr = sym.st_value;
		ps->index = i;
		ps->bind = GELF_ST_BIND(sym.st_info);
		ps->type = type;
		ps->block = ps->bind == STB_LOCAL ? block : -1;
		mark_listed(parent, secs, ps, &sym);
	}
	for (i = 0; i < parent->nr_syms; i++)
		hash_add(&parent->by_name, parent->syms[i].name,
			 &parent->syms[i]);
	parent_done_reading(parent);
	return parent;
}

void parent_free(struct parent *parent)
{
	size_t i;

	if (!parent)
		return;
	log_undefer(&parent->release);
	parent_done_reading(parent);
	for (i = 0; i < parent->nr_syms; i++)
		free(parent->syms[i].name);
	for (i = 0; i < parent->nr_blocks; i++)
		free((char *)parent->blocks[i].file);
	free(parent->syms);
	free(parent->blocks);
	for (i = 0; i < parent->nr_file_scores; i++) {
		free(parent->file_scores[i]->scores);
		free(parent->file_scores[i]);
	}
	free(parent->file_scores);
	if (parent->scores_by_file.buckets)
		hash_free(&parent->scores_by_file);
	free(parent->kernel_release);
	free(parent->stripped_advice);
	hash_free(&parent->by_name);
	free(parent->path);
	free(parent);
}

/*
 * 1-based kallsyms position among same-named symbols, 0 if unique; only
 * symbols the kernel lists count.  False when a same-named module symbol
 * lives in an init section: the module's kallsyms lists it until the module's
 * init finishes and not afterwards, so no single position is right.
 */
static bool sympos_of(struct parent *parent, const struct parent_symbol *ps,
		      unsigned long *sympos, const char **why)
{
	struct hash_node *node = NULL;
	unsigned long count = 1, before = 0;

	while ((node = hash_next(&parent->by_name, ps->name, node))) {
		const struct parent_symbol *o = node->value;

		if (o->in_init) {
			*why = o == ps ? parent_why_in_init :
			       parent_why_init_clash;
			return false;
		}
		if (o == ps || !o->listed)
			continue;
		count++;
		if (parent->is_module ? o->index < ps->index :
		    (o->addr < ps->addr ||
		     (o->addr == ps->addr && o->index < ps->index)))
			before++;
	}
	*sympos = count <= 1 ? 0 : before + 1;
	return true;
}

static bool block_is_best(struct parent *parent, int block,
			  const struct file_scores *fs)
{
	return block >= 0 && (size_t)block < parent->nr_blocks &&
	       fs->scores[block] == fs->best && fs->best != (size_t)-1;
}

/*
 * Score every block named like the source file: how many of the local
 * symbols the original object has from that file the block has too.
 */
static struct file_scores *score_blocks(struct parent *parent,
					struct elf_file *orig,
					const char *orig_file)
{
	struct file_scores *fs = hash_find(&parent->scores_by_file, orig_file);
	const char *file = base_name(orig_file);
	size_t i;

	if (fs)
		return fs;
	fs = xcalloc(1, sizeof(*fs));
	fs->file = orig_file;
	fs->scores = xcalloc(parent->nr_blocks + 1, sizeof(*fs->scores));
	fs->best = (size_t)-1;
	for (i = 0; i < parent->nr_blocks; i++)
		fs->scores[i] = strcmp(parent->blocks[i].file, file) ?
				(size_t)-1 : 0;
	for_each_sym(orig, s) {
		struct hash_node *node = NULL;

		if (s->bind != STB_LOCAL || (s->type != STT_FUNC &&
					     s->type != STT_OBJECT) ||
		    !s->file || strcmp(s->file, orig_file))
			continue;
		while ((node = hash_next(&parent->by_name, s->name, node))) {
			struct parent_symbol *ps = node->value;

			if (ps->block >= 0 && fs->scores[ps->block] != (size_t)-1)
				fs->scores[ps->block]++;
		}
	}
	for (i = 0; i < parent->nr_blocks; i++)
		if (fs->scores[i] != (size_t)-1 &&
		    (fs->best == (size_t)-1 || fs->scores[i] > fs->best))
			fs->best = fs->scores[i];
	if (!parent->scores_by_file.buckets)
		hash_init(&parent->scores_by_file, 4);
	parent->file_scores = grow_for(parent->file_scores,
				       parent->nr_file_scores,
				       sizeof(*parent->file_scores));
	parent->file_scores[parent->nr_file_scores++] = fs;
	hash_add(&parent->scores_by_file, fs->file, fs);
	return fs;
}

bool parent_lookup(struct parent *parent, struct elf_file *orig,
		   const char *orig_file, const char *name, bool local,
		   unsigned long *sympos, const char **why)
{
	struct hash_node *node = NULL;
	struct parent_symbol *found = NULL;
	size_t matches = 0;

	if (local) {
		const struct file_scores *fs;

		if (!orig_file) {
			*why = "the original object has no STT_FILE symbol";
			return false;
		}
		/* the original object is the same for every lookup */
		fs = score_blocks(parent, orig, orig_file);
		while ((node = hash_next(&parent->by_name, name, node))) {
			struct parent_symbol *ps = node->value;

			if (ps->bind == STB_LOCAL &&
			    block_is_best(parent, ps->block, fs)) {
				found = ps;
				matches++;
			}
		}
		if (matches > 1) {
			*why = parent_why_ambiguous;
			return false;
		}
		if (!found && !parent->nr_blocks) {
			*why = parent_why_stripped;
			return false;
		}
		if (!found) {
			*why = fs->best == (size_t)-1 ?
			       "no symbols of that source file in the parent" :
			       "not defined by that source file in the parent";
			return false;
		}
	} else {
		while ((node = hash_next(&parent->by_name, name, node))) {
			struct parent_symbol *ps = node->value;

			if (ps->bind == STB_LOCAL)
				continue;
			if (!found || (found->bind == STB_WEAK &&
				       ps->bind == STB_GLOBAL))
				found = ps;
		}
		if (!found) {
			*why = parent_why_no_global;
			return false;
		}
	}
	return sympos_of(parent, found, sympos, why);
}

int parent_global_bind(struct parent *parent, const char *name)
{
	struct hash_node *node = NULL;
	int bind = -1;

	while ((node = hash_next(&parent->by_name, name, node))) {
		struct parent_symbol *ps = node->value;

		if (ps->bind == STB_GLOBAL)
			return STB_GLOBAL;
		if (ps->bind == STB_WEAK)
			bind = STB_WEAK;
	}
	return bind;
}

static void release_symvers(void *sv)
{
	symvers_free(sv);
}

/* Close what symvers_read() had open. */
static void symvers_done_reading(struct symvers *sv)
{
	if (sv->file)
		fclose(sv->file);
	sv->file = NULL;
	free(sv->line);
	sv->line = NULL;
}

struct symvers *symvers_read(const char *path)
{
	struct symvers *sv = xcalloc(1, sizeof(*sv));
	size_t cap = 0, lineno = 0;
	FILE *f;

	log_defer(&sv->release, release_symvers, sv);
	f = sv->file = fopen(path, "r");
	if (!f)
		fatal("%s: cannot open Module.symvers: %s", path,
		      strerror(errno));
	hash_init(&sv->by_name, 4096);
	hash_init(&sv->ns_by_name, 16);
	while (getline(&sv->line, &cap, f) > 0) {
		char *fields[5] = { 0 }, *line = sv->line, *p = line, *mod;
		size_t n = 0;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		while (n < 5 && p) {
			fields[n++] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
		}
		if (n < 4)
			fatal("%s:%zu: expected crc<TAB>name<TAB>module<TAB>export",
			      path, lineno);
		mod = xstrdup(base_name(fields[2]));
		for (p = mod; *p; p++)
			if (*p == '-')
				*p = '_';
		/* nr_lines is even: one growth makes room for the pair */
		sv->lines = grow_for(sv->lines, sv->nr_lines,
				     sizeof(*sv->lines));
		sv->lines = grow_for(sv->lines, sv->nr_lines + 1,
				     sizeof(*sv->lines));
		sv->lines[sv->nr_lines++] = xstrdup(fields[1]);
		sv->lines[sv->nr_lines++] = mod;
		hash_add(&sv->by_name, sv->lines[sv->nr_lines - 2], mod);
		if (n == 5 && *fields[4]) {
			sv->namespaces = grow_for(sv->namespaces,
						  sv->nr_namespaces,
						  sizeof(*sv->namespaces));
			sv->namespaces[sv->nr_namespaces++] = xstrdup(fields[4]);
			hash_add(&sv->ns_by_name, sv->lines[sv->nr_lines - 2],
				 sv->namespaces[sv->nr_namespaces - 1]);
		}
	}
	symvers_done_reading(sv);
	return sv;
}

void symvers_free(struct symvers *sv)
{
	size_t i;

	if (!sv)
		return;
	log_undefer(&sv->release);
	symvers_done_reading(sv);
	for (i = 0; i < sv->nr_lines; i++)
		free(sv->lines[i]);
	free(sv->lines);
	for (i = 0; i < sv->nr_namespaces; i++)
		free(sv->namespaces[i]);
	free(sv->namespaces);
	hash_free(&sv->by_name);
	hash_free(&sv->ns_by_name);
	free(sv);
}

const char *symvers_owner(const struct symvers *sv, const char *name)
{
	return hash_find(&sv->by_name, name);
}

const char *symvers_namespace(const struct symvers *sv, const char *name)
{
	return hash_find(&sv->ns_by_name, name);
}
