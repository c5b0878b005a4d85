"""Word, name and subject pools for genmail.py, per language.

Every string here must encode in the charsets its language is sent in (checked at start-up
by genmail.py): "fr"/"de" in ISO-8859-1 (so no œ, € or curly quotes, which are only in
CP1252_EXTRA), "ja" in ISO-2022-JP and Shift_JIS (JIS X 0208 only: no ①, no half-width kana,
no ～), "ru" in KOI8-R.
"""

# Charsets each language's senders use, most common first (MIME names).
CHARSETS = {
    "en": ["us-ascii", "utf-8"],
    "fr": ["iso-8859-1", "windows-1252", "utf-8"],
    "de": ["iso-8859-1", "utf-8", "windows-1252"],
    "ja": ["iso-2022-jp", "shift_jis", "utf-8"],
    "ru": ["utf-8", "koi8-r"],
    "pl": ["utf-8"],
}

CODEC = {"us-ascii": "ascii", "utf-8": "utf-8", "iso-8859-1": "latin-1", "windows-1252": "cp1252",
         "iso-2022-jp": "iso2022_jp", "shift_jis": "shift_jis", "koi8-r": "koi8_r"}

WORDS = {
    "en": """the a to of and in that is for it with as was on be at by this had not are but from or
have an they which one you were all we when there can been has more if will would about their
what so up out said them into some time other could these two may then first any now like our
over also new very after most only through back years where much before must right too still
build release patch review server client mailbox folder message thread sync offline queue
cache index header body attachment draft sent archive inbox search filter label flag reply
forward meeting schedule report budget quarter deadline project team customer invoice contract
agenda minutes summary update status issue ticket bug fix test benchmark latency throughput
network storage backup restore migration deploy rollout config setting option default value
tomorrow today yesterday morning afternoon evening week month friday monday thursday""".split(),
    "fr": """le la les un une des et à de du en pour que qui dans sur avec pas plus par ce cette il
elle nous vous ils être avoir fait très où ça déjà été réunion équipe prochaine semaine réponse
merci bientôt vacances plage soleil août hôtel forêt crème château fenêtre problème élève noël
naïve garçon français début après même là côté précédent général intérêt mère frère
rapport projet budget compte rendu ordre du jour présentation dossier facture contrat
lundi mardi mercredi jeudi vendredi matin après-midi soir demain aujourd'hui hier""".split(),
    "de": """der die das und in zu den von mit ist nicht sich auf für dem ein eine als auch es an
werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über so zum kann
Grüße Straße Mädchen Übersicht Bericht schön Größe Rechnung März Prüfung Änderung können müssen
wäre Bücher Tür Käse Frühstück Besprechung Termin Woche nächste Projekt Kunde Vertrag Angebot
Montag Dienstag Mittwoch Donnerstag Freitag morgen heute gestern Vormittag Nachmittag""".split(),
    "ru": """и в не на я быть он с что а по это она этот к но они мы как из у который то за свой
весь год от так о для ты же все тот мочь вы человек такой его сказать только или ещё бы себя
отчёт квартал совещание встреча пожалуйста спасибо документ проект сроки бюджет утверждён
приложение подготовить работа вопрос время день неделя месяц понедельник пятница завтра
сегодня вчера утром вечером клиент договор счёт письмо ответ сервер почта""".split(),
    "pl": """i w nie na z się że do to jest jak po co tak za od ale przez już może być są był
źródło żółw łódź gęś świat wiadomość spotkanie tydzień projekt raport dziękuję proszę""".split(),
}

# Japanese is written in sentences, not space-separated words.
JA_SENTENCES = """お世話になっております。
会議の資料を送付いたします。
ご確認のほどよろしくお願いいたします。
来週の打ち合わせについてご連絡いたします。
本日はありがとうございました。
添付ファイルをご覧ください。
予定表を更新しました。
見積書を作成しましたので送ります。
請求書の発行が遅れており申し訳ありません。
進捗報告をまとめました。
次回の会議は木曜日の午後三時からです。
担当者が不在のため回答が遅れます。
新しいサーバーの設定が完了しました。
障害の原因を調査しています。
東京都千代田区の事務所に移転しました。
株式会社サンプルの山田様よりご連絡がありました。
資料の内容について質問があります。
今月末までに提出をお願いします。
よろしくお願い申し上げます。
テスト環境で動作を確認しました。""".split("\n")

NAMES = {
    "en": ["John Smith", "Mary Johnson", "Robert Brown", "Patricia Davis", "Michael Miller",
           "Linda Wilson", "David Moore", "Susan Taylor", "James Anderson", "Karen Thomas",
           "O'Brien, Sean", "Dr. Emily Clark", "Chris \"CJ\" Jones", "Ada Lovelace", "Grace Hopper"],
    "fr": ["François Lefèvre", "Hélène Dubois", "Jérôme Garçon", "Zoë Clément", "Amélie Poulain",
           "Benoît Lemaître", "Cécile Ménard", "Loïc Bréhat"],
    "de": ["Jürgen Groß", "Käthe Müller", "Björn Weiß", "Günther Schäfer", "Jörg Köhler",
           "Sabine Bäcker"],
    "ja": ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "渡辺 直子"],
    "ru": ["Иван Петров", "Ольга Смирнова", "Алексей Кузнецов", "Наталья Попова", "Дмитрий Соколов"],
    "pl": ["Łukasz Wiśniewski", "Małgorzata Wójcik", "Paweł Kamiński"],
}

# ASCII local parts, in the order of NAMES.
LOCALPARTS = {
    "en": ["john.smith", "mary", "rbrown", "patricia.davis", "mmiller", "linda", "dmoore", "susan.t",
           "james", "karen.thomas", "sean.obrien", "emily.clark", "cj", "ada", "grace"],
    "fr": ["francois", "helene.dubois", "jerome", "zoe", "amelie", "benoit", "cecile", "loic"],
    "de": ["juergen", "kaethe", "bjoern", "guenther", "joerg", "sabine"],
    "ja": ["taro.yamada", "hanako.sato", "ichiro", "misaki", "ken.tanaka", "naoko"],
    "ru": ["ivan", "olga", "alexey", "natalia", "dmitry"],
    "pl": ["lukasz", "malgorzata", "pawel"],
}

DOMAINS = {
    "en": ["example.com", "example.org", "mail.example.net", "corp.example.com"],
    "fr": ["exemple.fr", "example.fr"],
    "de": ["beispiel.de", "example.de"],
    "ja": ["example.co.jp", "mail.example.jp"],
    "ru": ["example.ru", "primer.example.ru"],
    "pl": ["example.pl"],
}

SUBJECTS = {
    "en": ["Quarterly report", "Lunch on Friday?", "Build failure on main", "Meeting notes",
           "Invoice {n}", "Your order #{n} has shipped", "Weekend plans", "Slides for tomorrow",
           "Question about the budget", "Server maintenance window", "Welcome aboard!",
           "Re-org announcement", "Vacation request", "Photos from the offsite", "Contract draft v{n}",
           "Ticket {n}: login fails after upgrade", "Coffee?", "Agenda for the {n}th",
           "Performance review", "Release {n}.0 checklist"],
    "fr": ["Réunion de l'équipe", "Compte rendu du {n} août", "Vacances d'été", "Facture n° {n}",
           "Déjeuner à la crêperie ?", "Problème de connexion", "Présentation générale",
           "Fête de Noël", "Ordre du jour"],
    "de": ["Besprechung am Montag", "Rechnung Nr. {n}", "Grüße aus München", "Änderung der Übersicht",
           "Prüfung der Größe", "Frühstück morgen?", "Angebot für Käse"],
    "ja": ["会議の資料", "見積書の送付", "来週の打ち合わせ", "進捗報告 第{n}回", "請求書について",
           "サーバー障害のお知らせ", "新年のご挨拶"],
    "ru": ["Отчёт за квартал", "Совещание в пятницу", "Счёт {n}", "Вопрос по проекту",
           "Договор на подпись", "Встреча с клиентом"],
    "pl": ["Spotkanie w przyszłym tygodniu", "Raport źródłowy", "Żółta łódź"],
}

LIST_SUBJECTS = ["[PATCH v{n} {k}/7] imap: handle VANISHED in QRESYNC", "[PATCH] jmap: resolve relative apiUrl",
                 "RFC: one worker thread per account", "sqlite WAL checkpoint stalls",
                 "[ANNOUNCE] tern {n}.{k} released", "Build broken with gcc {n}",
                 "Question: IDLE timeout of 29 minutes?", "[PATCH {k}/3] smtp: STARTTLS is mandatory",
                 "Crash when the terminal is resized", "Proposal: format=flowed in the composer"]

# Only in windows-1252 and UTF-8 (not in ISO-8859-1): exercises the difference.
CP1252_EXTRA = ["“quoted”", "– en dash", "… ellipsis", "€ 42", "œuvre", "‘single’"]
EMOJI = ["🎉", "✅", "📎", "🚀", "🙂", "☕"]

HTML_STYLES = ['style="font-family: Arial, sans-serif; font-size: 14px"',
               'class="MsoNormal"', 'dir="ltr"', ""]
