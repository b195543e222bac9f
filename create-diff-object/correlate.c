// SPDX-License-Identifier: GPL-2.0
/*
 * correlate.c - prepare both objects and pair original and patched
 * symbols and sections.
 *
 * GCC numbers clones (.isra.N, .constprop.N, .part.N) and function-static
 * variables (name.N) per object, so numbers may differ between the two
 * builds: clones are paired by their name without numbers, static locals by
 * the functions that reference them. Special statics (__key, __warned, ...)
 * are never paired: they are always taken from the patched object.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

static const char * const special_static_names[] = {
	"__key", "__warned", "__already_done", "__func__", "_rs", "CSWTCH",
	"__print_once", "__once", "__done", "descriptor", "__flags",
	"_entry", "_entry_ptr",		/* printk index (struct pi_entry) */
	NULL,
};

const char *kernel_name(const struct symbol *sym)
{
	return sym->twin ? sym->twin->name : sym->name;
}

bool is_bundled(const struct symbol *sym)
{
	return sym->sec && sym->sec->sym == sym;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "foo.isra.0" -> "foo.isra", "count.3" -> "count", __UNIQUE_ID_x12 -> __UNIQUE_ID_x */
static char *strip_numbers(const char *name)
{
	char *out = xmalloc(strlen(name) + 1), *o = out;
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p + 1, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (p != name && *p == '.' && all_digits(p + 1, n - 1)) {
			p += n;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = 0;
	if (!strncmp(out, "__UNIQUE_ID_", 12))
		while (o > out + 12 && isdigit((unsigned char)o[-1]))
			*--o = 0;
	return out;
}

static bool has_number_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name && all_digits(dot + 1, strlen(dot + 1));
}

static bool is_special_static(const struct symbol *sym)
{
	char *base;
	bool special = false;
	size_t i;

	if (sym->bind != STB_LOCAL || sym->type == STT_SECTION ||
	    sym->type == STT_FILE)
		return false;
	if (sym->sec && (!strcmp(sym->sec->name, ".data..once") ||
			 !strcmp(sym->sec->name, ".data.once") ||
			 !strcmp(sym->sec->name, "__dyndbg") ||
			 !strcmp(sym->sec->name, "__dyndbg_classes")))
		return true;
	if (!strncmp(sym->name, "__UNIQUE_ID_ddebug", 18))
		return true;
	if (sym->type == STT_FUNC)
		return false;
	base = strip_numbers(sym->name);
	for (i = 0; special_static_names[i]; i++)
		if (!strcmp(base, special_static_names[i]))
			special = true;
	free(base);
	return special;
}

static const char *clone_parent_suffix(const char *name)
{
	const char *p = strstr(name, ".cold");

	if (p && (p[5] == 0 || p[5] == '.'))
		return p;
	p = strstr(name, ".part.");
	return p;
}

static void add_referrer(struct symbol *target, struct symbol *func)
{
	if (target->nr_referrers &&
	    target->referrers[target->nr_referrers - 1] == func)
		return;
	target->referrers = xrealloc(target->referrers,
				     (target->nr_referrers + 1) *
				     sizeof(*target->referrers));
	target->referrers[target->nr_referrers++] = func;
}

/* Point relocations at the function/object instead of its section. */
static void convert_section_relas(struct elf_file *elf)
{
	for_each_sec(elf, rsec) {
		if (!is_rela_section(rsec) || is_debug_section(rsec))
			continue;
		for_each_rela(rsec, rela) {
			struct section *tsec = rela->sym->sec;
			struct symbol *target;
			long off;

			if (rela->sym->type != STT_SECTION || !tsec ||
			    is_merge_section(tsec))
				continue;
			if (tsec->sym) {
				rela->sym = tsec->sym;
				rela->via_section = true;
				rela->addend -= tsec->sym->sym.st_value;
				continue;
			}
			off = rela_target_offset(rsec->base, rela);
			if (off < 0)
				continue;
			target = elf_symbol_containing(tsec, off);
			if (!target || !target->sym.st_size)
				continue;
			rela->sym = target;
			rela->via_section = true;
			rela->addend -= target->sym.st_value;
		}
	}
}

static void link_referrers(struct elf_file *elf)
{
	for_each_sec(elf, rsec) {
		struct symbol *func;

		if (!is_rela_section(rsec) || !is_text_section(rsec->base))
			continue;
		for_each_rela(rsec, rela) {
			struct symbol *t = rela->sym;

			if (!t->static_local)
				continue;
			func = rsec->base->sym ? rsec->base->sym :
			       elf_symbol_containing(rsec->base,
						     rela->offset);
			if (func && func->type == STT_FUNC)
				add_referrer(t, func);
		}
	}
}

void cdo_prepare(struct elf_file *elf)
{
	for_each_sym(elf, sym) {
		const char *suffix;

		if (is_special_static(sym)) {
			sym->special_static = true;
			continue;
		}
		if (sym->bind == STB_LOCAL && sym->type == STT_OBJECT &&
		    has_number_suffix(sym->name))
			sym->static_local = true;
		if (sym->type == STT_FUNC &&
		    (suffix = clone_parent_suffix(sym->name))) {
			char *pname = xstrdup(sym->name);
			struct symbol *parent;

			pname[suffix - sym->name] = 0;
			parent = elf_find_symbol(elf, pname);
			if (parent && parent->type == STT_FUNC &&
			    parent != sym) {
				sym->parent = parent;
				if (!parent->child)
					parent->child = sym;
			}
			free(pname);
		}
	}
	convert_section_relas(elf);
	link_referrers(elf);
}

static void set_twins(struct symbol *a, struct symbol *b)
{
	a->twin = b;
	b->twin = a;
}

static bool correlatable(const struct symbol *sym)
{
	return sym->index && sym->type != STT_SECTION &&
	       sym->type != STT_FILE && !sym->special_static && *sym->name;
}

/* The only symbol called name with this locality, or NULL. */
static struct symbol *unique_symbol(struct elf_file *elf, const char *name,
				    bool local)
{
	struct hash_node *node = NULL;
	struct symbol *found = NULL;

	while ((node = hash_next(&elf->sym_by_name, name, node))) {
		struct symbol *s = node->value;

		if ((s->bind == STB_LOCAL) != local)
			continue;
		if (found)
			return NULL;
		found = s;
	}
	return found;
}

/* Exact names, unique (among locals, or among globals) on both sides. */
static void correlate_by_name(struct elf_file *orig, struct elf_file *patched)
{
	for_each_sym(patched, p) {
		struct symbol *o;
		bool local = p->bind == STB_LOCAL;

		if (!correlatable(p) || p->static_local || p->twin)
			continue;
		if (unique_symbol(patched, p->name, local) != p)
			continue;
		o = unique_symbol(orig, p->name, local);
		if (!o) {
			/* static <-> global: only when the name is unique */
			if (hash_count(&patched->sym_by_name, p->name) != 1 ||
			    hash_count(&orig->sym_by_name, p->name) != 1)
				continue;
			o = elf_find_symbol(orig, p->name);
		}
		if (!correlatable(o) || o->static_local || o->twin ||
		    o->type != p->type)
			continue;
		set_twins(o, p);
	}
}

/*
 * Locals whose name is not unique in the object (objects linked from
 * several files, like vmlinux.o): by STT_FILE block and name.
 */
static void correlate_by_file(struct elf_file *orig, struct elf_file *patched)
{
	struct hash_table ot, pt;
	char **keys[2];
	size_t i;

	hash_init(&ot, 64);
	hash_init(&pt, 64);
	for (int pass = 0; pass < 2; pass++) {
		struct elf_file *elf = pass ? patched : orig;
		struct hash_table *t = pass ? &pt : &ot;

		keys[pass] = xcalloc(elf->nr_symbols, sizeof(char *));
		for_each_sym(elf, s) {
			if (!correlatable(s) || s->twin || s->static_local ||
			    s->bind != STB_LOCAL || !s->file ||
			    hash_count(&elf->sym_by_name, s->name) < 2)
				continue;
			keys[pass][s->index] = xasprintf("%s/%s", s->file, s->name);
			hash_add(t, keys[pass][s->index], s);
		}
	}
	for_each_sym(patched, p) {
		const char *key = keys[1][p->index];
		struct hash_node *on = NULL, *pn = NULL;
		struct symbol *o;
		size_t n;

		if (!key || p->twin)
			continue;
		n = hash_count(&pt, key);
		if (n != hash_count(&ot, key))
			continue;
		/* same count on both sides: pair them in symbol table order */
		while ((pn = hash_next(&pt, key, pn)) &&
		       (on = hash_next(&ot, key, on))) {
			o = on->value;
			p = pn->value;
			if (o->type == p->type && !o->twin && !p->twin)
				set_twins(o, p);
		}
	}
	hash_free(&ot);
	hash_free(&pt);
	for (int pass = 0; pass < 2; pass++) {
		struct elf_file *elf = pass ? patched : orig;

		for (i = 0; i < elf->nr_symbols; i++)
			free(keys[pass][i]);
		free(keys[pass]);
	}
}

/* Clones and __UNIQUE_ID_ symbols by their name without numbers. */
static void correlate_by_stripped_name(struct elf_file *orig,
				       struct elf_file *patched)
{
	struct hash_table ot, pt;

	hash_init(&ot, orig->nr_symbols);
	hash_init(&pt, patched->nr_symbols);
	for (int pass = 0; pass < 2; pass++) {
		struct elf_file *elf = pass ? patched : orig;
		struct hash_table *t = pass ? &pt : &ot;

		for_each_sym(elf, s) {
			if (!correlatable(s) || s->twin || s->static_local)
				continue;
			if (!strchr(s->name, '.') &&
			    strncmp(s->name, "__UNIQUE_ID_", 12))
				continue;
			/* key is owned by the symbol through its reason field */
			s->reason = strip_numbers(s->name);
			hash_add(t, s->reason, s);
		}
	}
	for_each_sym(patched, p) {
		struct symbol *o;

		if (!p->reason || p->twin)
			continue;
		if (hash_count(&pt, p->reason) != 1 ||
		    hash_count(&ot, p->reason) != 1)
			continue;
		o = hash_find(&ot, p->reason);
		if (o->type == p->type && !o->twin)
			set_twins(o, p);
	}
	hash_free(&ot);
	hash_free(&pt);
	for (int pass = 0; pass < 2; pass++) {
		struct elf_file *elf = pass ? patched : orig;

		for_each_sym(elf, s) {
			free(s->reason);
			s->reason = NULL;
		}
	}
}

static bool referenced_by_twin(const struct symbol *o, const struct symbol *p)
{
	size_t i, j;

	for (i = 0; i < p->nr_referrers; i++)
		for (j = 0; j < o->nr_referrers; j++)
			if (p->referrers[i]->twin == o->referrers[j])
				return true;
	return false;
}

/*
 * Same static local: some function using the patched one is the twin of a
 * function using the original one.  Only when neither side is used by any
 * function (data-only references) may the name alone decide.
 */
static bool may_pair_static(const struct symbol *o, const struct symbol *p)
{
	if (o->twin || o->type != p->type)
		return false;
	if (!o->nr_referrers && !p->nr_referrers)
		return true;
	return referenced_by_twin(o, p);
}

/* Same size and bytes (relocated fields are zero in both: compared later). */
static bool same_contents(const struct symbol *o, const struct symbol *p)
{
	const struct section *os = o->sec, *ps = p->sec;

	if (o->sym.st_size != p->sym.st_size || !os || !ps)
		return false;
	if (!os->data || !ps->data)
		return os->sh.sh_type == ps->sh.sh_type;
	if (o->sym.st_value + o->sym.st_size > os->size ||
	    p->sym.st_value + p->sym.st_size > ps->size)
		return false;
	return !memcmp(os->data + o->sym.st_value, ps->data + p->sym.st_value,
		       o->sym.st_size);
}

static bool is_read_only(const struct symbol *sym)
{
	return sym->sec && (sym->sec->sh.sh_flags & SHF_ALLOC) &&
	       !(sym->sec->sh.sh_flags & SHF_WRITE);
}

static char *static_local_key(const struct symbol *sym)
{
	char *base = strip_numbers(sym->name);
	char *key = xasprintf("%s/%s", sym->file ? sym->file : "", base);

	free(base);
	return key;
}

/*
 * Static locals (name.N) by base name and the functions using them. GCC
 * numbers them in output order, so one new `__msg` or `__func__` renumbers
 * every later one: a candidate used by the same function with the same
 * contents is taken first (pass 0), then any used by the same function
 * (pass 1), then the only one left (pass 2).
 */
static void correlate_static_locals(struct elf_file *orig,
				    struct elf_file *patched)
{
	struct hash_table ot, pt;
	size_t i;
	char **keys = xcalloc(orig->nr_symbols, sizeof(*keys)), **pkeys;

	hash_init(&ot, orig->nr_symbols);
	for_each_sym(orig, o) {
		if (!o->static_local || o->twin)
			continue;
		keys[o->index] = static_local_key(o);
		hash_add(&ot, keys[o->index], o);
	}
	for (int pass = 0; pass < 3; pass++) {
		for_each_sym(patched, p) {
			struct hash_node *node = NULL;
			struct symbol *match = NULL;
			size_t candidates = 0;
			char *key;

			if (!p->static_local || p->twin)
				continue;
			key = static_local_key(p);
			while ((node = hash_next(&ot, key, node))) {
				struct symbol *o = node->value;

				if (!may_pair_static(o, p))
					continue;
				candidates++;
				if (pass == 0 && o->nr_referrers &&
				    same_contents(o, p)) {
					match = o;
					break;
				}
				if (pass == 1 && o->nr_referrers) {
					match = o;
					break;
				}
				if (pass == 2)
					match = o;
			}
			if (match && (pass < 2 || candidates == 1))
				set_twins(match, p);
			free(key);
		}
	}
	/* what is left: pair in order when both sides have as many */
	hash_init(&pt, 64);
	pkeys = xcalloc(patched->nr_symbols, sizeof(*pkeys));
	for_each_sym(patched, p) {
		if (!p->static_local || p->twin)
			continue;
		pkeys[p->index] = static_local_key(p);
		hash_add(&pt, pkeys[p->index], p);
	}
	for_each_sym(patched, p) {
		struct hash_node *node = NULL;
		size_t left_o = 0, left_p = 0;

		if (!pkeys[p->index] || p->twin)
			continue;
		while ((node = hash_next(&ot, pkeys[p->index], node)))
			left_o += !((struct symbol *)node->value)->twin;
		while ((node = hash_next(&pt, pkeys[p->index], node)))
			left_p += !((struct symbol *)node->value)->twin;
		if (left_o != left_p)
			continue;
		while ((node = hash_next(&ot, pkeys[p->index], node))) {
			struct symbol *o = node->value;

			if (may_pair_static(o, p)) {
				set_twins(o, p);
				break;
			}
		}
	}
	/*
	 * Read-only ones (NL_SET_ERR_MSG's __msg) hold no state: when inlining
	 * moved their use to another function (a helper no longer inlined),
	 * the same contents under the same base name is the same variable.
	 */
	for_each_sym(patched, p) {
		struct hash_node *node = NULL;

		if (!pkeys[p->index] || p->twin || !is_read_only(p))
			continue;
		while ((node = hash_next(&ot, pkeys[p->index], node))) {
			struct symbol *o = node->value;

			if (!o->twin && o->type == p->type && is_read_only(o) &&
			    same_contents(o, p)) {
				set_twins(o, p);
				break;
			}
		}
	}
	hash_free(&pt);
	for (i = 0; i < patched->nr_symbols; i++)
		free(pkeys[i]);
	free(pkeys);
	hash_free(&ot);
	for (i = 0; i < orig->nr_symbols; i++)
		free(keys[i]);
	free(keys);
}

static void correlate_sections(struct elf_file *orig, struct elf_file *patched)
{
	for_each_sec(patched, p) {
		struct section *o;

		if (is_rela_section(p))
			continue;
		if (p->sym) {
			if (p->sym->twin && p->sym->twin->sec &&
			    p->sym->twin->sec->sym == p->sym->twin) {
				p->twin = p->sym->twin->sec;
				p->twin->twin = p;
			}
			continue;
		}
		if (hash_count(&patched->sec_by_name, p->name) != 1 ||
		    hash_count(&orig->sec_by_name, p->name) != 1)
			continue;
		o = elf_find_section(orig, p->name);
		if (o->sym || o->twin)
			continue;
		p->twin = o;
		o->twin = p;
	}
	for_each_sec(patched, p) {
		if (p->twin && p->rela && p->twin->rela) {
			p->rela->twin = p->twin->rela;
			p->twin->rela->twin = p->rela;
		}
		if (p->twin && p->secsym && p->twin->secsym) {
			p->secsym->twin = p->twin->secsym;
			p->twin->secsym->twin = p->secsym;
		}
	}
}

static const char *object_file_name(struct elf_file *elf)
{
	for_each_sym(elf, s)
		if (s->type == STT_FILE)
			return s->name;
	return NULL;
}

void cdo_correlate(struct cdo *cdo)
{
	correlate_by_name(cdo->orig, cdo->patched);
	correlate_by_file(cdo->orig, cdo->patched);
	correlate_by_stripped_name(cdo->orig, cdo->patched);
	correlate_static_locals(cdo->orig, cdo->patched);
	correlate_sections(cdo->orig, cdo->patched);
	cdo->orig_file = object_file_name(cdo->orig);
}
