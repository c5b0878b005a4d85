/* Roles of IMAP folders: from SPECIAL-USE attributes (RFC 6154, compared
 * without case since Cyrus sends them in lower case), else from the
 * folder's name, in English or in the language a server or another client
 * may have used, at the top of the personal namespace ("Sent",
 * "INBOX.Sent" on Courier-style servers, "Gesendet"). Gmail's virtual
 * folders (\All, \Flagged, \Important) hold copies of mail that lives
 * elsewhere: they are recognised so that they are not synced twice. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync/imap/imap.h"
#include "src/base/util.h"

enum mailbox_role
imap_role_from_flag(const char *f)
{
	static const struct { const char *name; enum mailbox_role role; } map[] = {
		{ "Sent", MAILBOX_ROLE_SENT }, { "Drafts", MAILBOX_ROLE_DRAFTS }, { "Trash", MAILBOX_ROLE_TRASH },
		{ "Junk", MAILBOX_ROLE_JUNK }, { "Archive", MAILBOX_ROLE_ARCHIVE },
	};
	if (!f)
		return MAILBOX_ROLE_NONE;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcasecmp(f, map[i].name) == 0)
			return map[i].role;
	return MAILBOX_ROLE_NONE;
}

int
imap_flag_is_virtual(const char *f)
{
	return f && (strcasecmp(f, "All") == 0 || strcasecmp(f, "Flagged") == 0 ||
	             strcasecmp(f, "Important") == 0);
}

enum mailbox_role
imap_role_from_name(const char *name)
{
	/* ASCII letters compare without case; the others as written by the
	 * clients and servers that create these folders. */
	static const struct { const char *name; enum mailbox_role role; } map[] = {
		{ "Sent", MAILBOX_ROLE_SENT }, { "Sent Items", MAILBOX_ROLE_SENT }, { "Sent Messages", MAILBOX_ROLE_SENT }, { "Sent Mail", MAILBOX_ROLE_SENT },
		{ "Gesendet", MAILBOX_ROLE_SENT }, { "Gesendete Objekte", MAILBOX_ROLE_SENT }, { "Gesendete Elemente", MAILBOX_ROLE_SENT },
		{ "Envoy\xc3\xa9s", MAILBOX_ROLE_SENT }, { "\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s", MAILBOX_ROLE_SENT },
		{ "Messages envoy\xc3\xa9s", MAILBOX_ROLE_SENT }, { "Enviados", MAILBOX_ROLE_SENT }, { "Elementos enviados", MAILBOX_ROLE_SENT },
		{ "Itens enviados", MAILBOX_ROLE_SENT }, { "Posta inviata", MAILBOX_ROLE_SENT }, { "Inviati", MAILBOX_ROLE_SENT },
		{ "Verzonden", MAILBOX_ROLE_SENT }, { "Verzonden items", MAILBOX_ROLE_SENT }, { "Wys\xc5\x82\x61ne", MAILBOX_ROLE_SENT },
		{ "Skickat", MAILBOX_ROLE_SENT }, { "Sendt", MAILBOX_ROLE_SENT },
		{ "\xd0\x9e\xd1\x82\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xbd\xd1\x8b\xd0\xb5", MAILBOX_ROLE_SENT },
		{ "Drafts", MAILBOX_ROLE_DRAFTS }, { "Draft", MAILBOX_ROLE_DRAFTS }, { "Entw\xc3\xbcrfe", MAILBOX_ROLE_DRAFTS },
		{ "Brouillons", MAILBOX_ROLE_DRAFTS }, { "Borradores", MAILBOX_ROLE_DRAFTS }, { "Rascunhos", MAILBOX_ROLE_DRAFTS },
		{ "Bozze", MAILBOX_ROLE_DRAFTS }, { "Concepten", MAILBOX_ROLE_DRAFTS }, { "Kopie robocze", MAILBOX_ROLE_DRAFTS },
		{ "Utkast", MAILBOX_ROLE_DRAFTS }, { "Kladder", MAILBOX_ROLE_DRAFTS },
		{ "\xd0\xa7\xd0\xb5\xd1\x80\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xb8\xd0\xba\xd0\xb8", MAILBOX_ROLE_DRAFTS },
		{ "Trash", MAILBOX_ROLE_TRASH }, { "Deleted Items", MAILBOX_ROLE_TRASH }, { "Deleted Messages", MAILBOX_ROLE_TRASH }, { "Deleted", MAILBOX_ROLE_TRASH },
		{ "Bin", MAILBOX_ROLE_TRASH }, { "Papierkorb", MAILBOX_ROLE_TRASH }, { "Gel\xc3\xb6schte Objekte", MAILBOX_ROLE_TRASH },
		{ "Gel\xc3\xb6schte Elemente", MAILBOX_ROLE_TRASH }, { "Corbeille", MAILBOX_ROLE_TRASH },
		{ "\xc3\x89l\xc3\xa9ments supprim\xc3\xa9s", MAILBOX_ROLE_TRASH }, { "Papelera", MAILBOX_ROLE_TRASH },
		{ "Elementos eliminados", MAILBOX_ROLE_TRASH }, { "Lixeira", MAILBOX_ROLE_TRASH }, { "Lixo", MAILBOX_ROLE_TRASH },
		{ "Itens exclu\xc3\xad\x64os", MAILBOX_ROLE_TRASH }, { "Cestino", MAILBOX_ROLE_TRASH }, { "Posta eliminata", MAILBOX_ROLE_TRASH },
		{ "Prullenbak", MAILBOX_ROLE_TRASH }, { "Verwijderde items", MAILBOX_ROLE_TRASH }, { "Kosz", MAILBOX_ROLE_TRASH },
		{ "Papperskorgen", MAILBOX_ROLE_TRASH }, { "Papirkurv", MAILBOX_ROLE_TRASH },
		{ "\xd0\x9a\xd0\xbe\xd1\x80\xd0\xb7\xd0\xb8\xd0\xbd\xd0\xb0", MAILBOX_ROLE_TRASH },
		{ "Junk", MAILBOX_ROLE_JUNK }, { "Spam", MAILBOX_ROLE_JUNK }, { "Junk E-mail", MAILBOX_ROLE_JUNK }, { "Junk Mail", MAILBOX_ROLE_JUNK },
		{ "Bulk Mail", MAILBOX_ROLE_JUNK }, { "Junk-E-Mail", MAILBOX_ROLE_JUNK }, { "Ind\xc3\xa9sirables", MAILBOX_ROLE_JUNK },
		{ "Courrier ind\xc3\xa9sirable", MAILBOX_ROLE_JUNK }, { "Correo no deseado", MAILBOX_ROLE_JUNK },
		{ "Posta indesiderata", MAILBOX_ROLE_JUNK }, { "Ongewenste e-mail", MAILBOX_ROLE_JUNK }, { "Skr\xc3\xa4ppost", MAILBOX_ROLE_JUNK },
		{ "\xd0\xa1\xd0\xbf\xd0\xb0\xd0\xbc", MAILBOX_ROLE_JUNK },
		{ "Archive", MAILBOX_ROLE_ARCHIVE }, { "Archives", MAILBOX_ROLE_ARCHIVE }, { "Archiv", MAILBOX_ROLE_ARCHIVE }, { "Archivio", MAILBOX_ROLE_ARCHIVE },
		{ "Archivo", MAILBOX_ROLE_ARCHIVE }, { "Archief", MAILBOX_ROLE_ARCHIVE }, { "Arquivo", MAILBOX_ROLE_ARCHIVE }, { "Arkiv", MAILBOX_ROLE_ARCHIVE },
		{ "\xd0\x90\xd1\x80\xd1\x85\xd0\xb8\xd0\xb2", MAILBOX_ROLE_ARCHIVE },
	};
	if (!name)
		return MAILBOX_ROLE_NONE;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcasecmp(name, map[i].name) == 0)
			return map[i].role;
	return MAILBOX_ROLE_NONE;
}

enum mailbox_role
imap_role_from_path(const char *remote, const char *prefix, char delim)
{
	const char *rest = remote;
	enum mailbox_role role;
	char *name;

	if (!remote)
		return MAILBOX_ROLE_NONE;
	if (prefix && *prefix && strncmp(remote, prefix, strlen(prefix)) == 0)
		rest = remote + strlen(prefix);
	else if (delim && strncasecmp(remote, "INBOX", 5) == 0 && remote[5] == delim)
		rest = remote + 6;     /* Courier-style, from a server without NAMESPACE */
	/* Only a folder at the top: "Projects/Archive" is the user's own. */
	if (!*rest || (delim && strchr(rest, delim)))
		return MAILBOX_ROLE_NONE;
	name = imap_utf7_decode(rest);
	role = imap_role_from_name(name);
	free(name);
	return role;
}
