#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/util.h"
#include "src/config/colour.h"

static const char *const obj_names[COL_N] = {
	[COL_NORMAL] = "normal", [COL_HEADER] = "header", [COL_QUOTED] = "quoted",
	[COL_QUOTED1] = "quoted1", [COL_QUOTED2] = "quoted2", [COL_QUOTED3] = "quoted3",
	[COL_SIGNATURE] = "signature", [COL_ATTACHMENT] = "attachment", [COL_UNREAD] = "unread",
	[COL_FLAGGED] = "flagged", [COL_DELETED] = "deleted", [COL_TAGGED] = "tagged",
	[COL_FAILED] = "failed", [COL_TREE] = "tree", [COL_STATUS] = "status",
	[COL_SEARCH] = "search", [COL_INDICATOR] = "indicator",
};

static const char *const basic[8] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", CA_BOLD }, { "underline", CA_UNDERLINE }, { "reverse", CA_REVERSE },
	{ "standout", CA_STANDOUT }, { "dim", CA_DIM }, { "italic", CA_ITALIC }, { "none", 0 },
};

/* The default scheme. Foregrounds only: the terminal's own background
 * stays, and red, green, cyan and magenta read on white and on black
 * (yellow and blue do not on both, so they are left out). */
static const struct colour_rule defaults[COL_N] = {
	[COL_NORMAL] = { COL_NORMAL, COLOUR_DEFAULT, COLOUR_DEFAULT, 0 },
	[COL_HEADER] = { COL_HEADER, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_BOLD },
	[COL_QUOTED] = { COL_QUOTED, 6, COLOUR_DEFAULT, 0 },
	[COL_QUOTED1] = { COL_QUOTED1, 2, COLOUR_DEFAULT, 0 },
	[COL_QUOTED2] = { COL_QUOTED2, 5, COLOUR_DEFAULT, 0 },
	[COL_QUOTED3] = { COL_QUOTED3, 1, COLOUR_DEFAULT, 0 },
	[COL_SIGNATURE] = { COL_SIGNATURE, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_DIM },
	[COL_ATTACHMENT] = { COL_ATTACHMENT, 5, COLOUR_DEFAULT, CA_BOLD },
	[COL_UNREAD] = { COL_UNREAD, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_BOLD },
	[COL_FLAGGED] = { COL_FLAGGED, 1, COLOUR_DEFAULT, 0 },
	[COL_DELETED] = { COL_DELETED, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_DIM },
	[COL_TAGGED] = { COL_TAGGED, 5, COLOUR_DEFAULT, 0 },
	[COL_FAILED] = { COL_FAILED, 1, COLOUR_DEFAULT, CA_BOLD | CA_UNDERLINE },
	[COL_TREE] = { COL_TREE, 6, COLOUR_DEFAULT, 0 },
	[COL_STATUS] = { COL_STATUS, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_REVERSE },
	[COL_SEARCH] = { COL_SEARCH, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_REVERSE },
	[COL_INDICATOR] = { COL_INDICATOR, COLOUR_DEFAULT, COLOUR_DEFAULT, CA_REVERSE },
};

const char *
colour_obj_name(enum colour_obj o)
{
	return o < COL_N ? obj_names[o] : "?";
}

struct colour_rule
colour_default(enum colour_obj o)
{
	return defaults[o < COL_N ? o : COL_NORMAL];
}

/* The closest of n names to a misspelt word, or NULL. */
static const char *
guess(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	int bestd = 3;
	for (size_t i = 0; i < n; i++) {
		int d = str_typo_distance(word, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

/* One colour: default, a basic name, brightNAME, colorN, #rrggbb. */
static int
colour_parse(const char *w, int32_t *out)
{
	long n;
	*out = COLOUR_DEFAULT;
	if (str_ieq(w, "default"))
		return TERN_OK;
	for (int i = 0; i < 8; i++) {
		if (str_ieq(w, basic[i])) {
			*out = i;
			return TERN_OK;
		}
		if (str_ihas_prefix(w, "bright") && str_ieq(w + 6, basic[i])) {
			*out = 8 + i;
			return TERN_OK;
		}
	}
	if ((str_ihas_prefix(w, "color") || str_ihas_prefix(w, "colour")) &&
	    str_to_long(w + (w[5] == 'u' || w[5] == 'U' ? 6 : 5), 0, 255, &n) == 0) {
		*out = (int32_t)n;
		return TERN_OK;
	}
	if (w[0] == '#' && strlen(w) == 7) {
		int32_t rgb = 0;
		for (int i = 1; i < 7; i++) {
			int v = hex_value((unsigned char)w[i]);
			if (v < 0)
				return TERN_ECONFIG;
			rgb = rgb << 4 | v;
		}
		*out = COLOUR_RGB | rgb;
		return TERN_OK;
	}
	return TERN_ECONFIG;
}

static char *
bad_colour(const char *what, const char *w)
{
	static const char *const all[] = { "default", "black", "red", "green", "yellow", "blue", "magenta",
	                                   "cyan", "white", "brightblack", "brightred", "brightgreen",
	                                   "brightyellow", "brightblue", "brightmagenta", "brightcyan",
	                                   "brightwhite" };
	const char *g = guess(w, all, ARRAY_LEN(all));
	if (g)
		return xasprintf("unknown %s colour '%s' (did you mean %s?)", what, w, g);
	return xasprintf("unknown %s colour '%s' (a name such as red or brightred, default, color0 to color255, or #rrggbb)",
	                 what, w);
}

int
colour_rule_parse(const char *spec, struct colour_rule *out, char **why)
{
	char *copy = xstrdup(spec ? spec : ""), *save = NULL, *w[3];
	int rc = TERN_ECONFIG, o;

	*why = NULL;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < 3; i++)
		w[i] = strtok_r(i ? NULL : copy, " \t", &save);
	if (!w[0] || !w[1] || !w[2]) {
		*why = xstrdup("a colour line is 'color OBJECT FOREGROUND BACKGROUND [ATTRIBUTE...]'");
		goto out;
	}
	for (o = 0; o < COL_N && !str_ieq(w[0], obj_names[o]); o++)
		;
	if (o == COL_N) {
		const char *g = guess(w[0], obj_names, COL_N);
		*why = g ? xasprintf("unknown colour object '%s' (did you mean %s?)", w[0], g)
		         : xasprintf("unknown colour object '%s'", w[0]);
		goto out;
	}
	out->obj = (enum colour_obj)o;
	if (colour_parse(w[1], &out->fg) != TERN_OK) {
		*why = bad_colour("foreground", w[1]);
		goto out;
	}
	if (colour_parse(w[2], &out->bg) != TERN_OK) {
		*why = bad_colour("background", w[2]);
		goto out;
	}
	for (char *a; (a = strtok_r(NULL, " \t,", &save)) != NULL;) {
		size_t i;
		for (i = 0; i < ARRAY_LEN(attr_names) && !str_ieq(a, attr_names[i].name); i++)
			;
		if (i == ARRAY_LEN(attr_names)) {
			const char *names[ARRAY_LEN(attr_names)], *g;
			for (size_t k = 0; k < ARRAY_LEN(attr_names); k++)
				names[k] = attr_names[k].name;
			g = guess(a, names, ARRAY_LEN(names));
			*why = g ? xasprintf("unknown attribute '%s' (did you mean %s?)", a, g)
			         : xasprintf("unknown attribute '%s' (bold, underline, reverse, standout, dim, italic or none)", a);
			goto out;
		}
		out->attrs |= attr_names[i].bit;
	}
	rc = TERN_OK;
out:
	free(copy);
	return rc;
}
