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

const char *
imap_role_from_flag(const char *f)
{
	static const char *const map[][2] = {
		{ "Sent", "sent" }, { "Drafts", "drafts" }, { "Trash", "trash" },
		{ "Junk", "junk" }, { "Archive", "archive" },
	};
	if (!f)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcasecmp(f, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

int
imap_flag_is_virtual(const char *f)
{
	return f && (strcasecmp(f, "All") == 0 || strcasecmp(f, "Flagged") == 0 ||
	             strcasecmp(f, "Important") == 0);
}

const char *
imap_role_from_name(const char *name)
{
	/* ASCII letters compare without case; the others as written by the
	 * clients and servers that create these folders. */
	static const char *const map[][2] = {
		{ "Sent", "sent" }, { "Sent Items", "sent" }, { "Sent Messages", "sent" }, { "Sent Mail", "sent" },
		{ "Gesendet", "sent" }, { "Gesendete Objekte", "sent" }, { "Gesendete Elemente", "sent" },
		{ "Envoy\xc3\xa9s", "sent" }, { "\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s", "sent" },
		{ "Messages envoy\xc3\xa9s", "sent" }, { "Enviados", "sent" }, { "Elementos enviados", "sent" },
		{ "Itens enviados", "sent" }, { "Posta inviata", "sent" }, { "Inviati", "sent" },
		{ "Verzonden", "sent" }, { "Verzonden items", "sent" }, { "Wys\xc5\x82\x61ne", "sent" },
		{ "Skickat", "sent" }, { "Sendt", "sent" },
		{ "\xd0\x9e\xd1\x82\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xbd\xd1\x8b\xd0\xb5", "sent" },
		{ "Drafts", "drafts" }, { "Draft", "drafts" }, { "Entw\xc3\xbcrfe", "drafts" },
		{ "Brouillons", "drafts" }, { "Borradores", "drafts" }, { "Rascunhos", "drafts" },
		{ "Bozze", "drafts" }, { "Concepten", "drafts" }, { "Kopie robocze", "drafts" },
		{ "Utkast", "drafts" }, { "Kladder", "drafts" },
		{ "\xd0\xa7\xd0\xb5\xd1\x80\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xb8\xd0\xba\xd0\xb8", "drafts" },
		{ "Trash", "trash" }, { "Deleted Items", "trash" }, { "Deleted Messages", "trash" }, { "Deleted", "trash" },
		{ "Bin", "trash" }, { "Papierkorb", "trash" }, { "Gel\xc3\xb6schte Objekte", "trash" },
		{ "Gel\xc3\xb6schte Elemente", "trash" }, { "Corbeille", "trash" },
		{ "\xc3\x89l\xc3\xa9ments supprim\xc3\xa9s", "trash" }, { "Papelera", "trash" },
		{ "Elementos eliminados", "trash" }, { "Lixeira", "trash" }, { "Lixo", "trash" },
		{ "Itens exclu\xc3\xad\x64os", "trash" }, { "Cestino", "trash" }, { "Posta eliminata", "trash" },
		{ "Prullenbak", "trash" }, { "Verwijderde items", "trash" }, { "Kosz", "trash" },
		{ "Papperskorgen", "trash" }, { "Papirkurv", "trash" },
		{ "\xd0\x9a\xd0\xbe\xd1\x80\xd0\xb7\xd0\xb8\xd0\xbd\xd0\xb0", "trash" },
		{ "Junk", "junk" }, { "Spam", "junk" }, { "Junk E-mail", "junk" }, { "Junk Mail", "junk" },
		{ "Bulk Mail", "junk" }, { "Junk-E-Mail", "junk" }, { "Ind\xc3\xa9sirables", "junk" },
		{ "Courrier ind\xc3\xa9sirable", "junk" }, { "Correo no deseado", "junk" },
		{ "Posta indesiderata", "junk" }, { "Ongewenste e-mail", "junk" }, { "Skr\xc3\xa4ppost", "junk" },
		{ "\xd0\xa1\xd0\xbf\xd0\xb0\xd0\xbc", "junk" },
		{ "Archive", "archive" }, { "Archives", "archive" }, { "Archiv", "archive" }, { "Archivio", "archive" },
		{ "Archivo", "archive" }, { "Archief", "archive" }, { "Arquivo", "archive" }, { "Arkiv", "archive" },
		{ "\xd0\x90\xd1\x80\xd1\x85\xd0\xb8\xd0\xb2", "archive" },
	};
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strcasecmp(name, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

const char *
imap_role_from_path(const char *remote, const char *prefix, char delim)
{
	const char *rest = remote;
	const char *role;
	char *name;

	if (!remote)
		return NULL;
	if (prefix && *prefix && strncmp(remote, prefix, strlen(prefix)) == 0)
		rest = remote + strlen(prefix);
	else if (delim && strncasecmp(remote, "INBOX", 5) == 0 && remote[5] == delim)
		rest = remote + 6;     /* Courier-style, from a server without NAMESPACE */
	/* Only a folder at the top: "Projects/Archive" is the user's own. */
	if (!*rest || (delim && strchr(rest, delim)))
		return NULL;
	name = imap_utf7_decode(rest);
	role = imap_role_from_name(name);
	free(name);
	return role;
}
