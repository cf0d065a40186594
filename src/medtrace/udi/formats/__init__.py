"""One module per UDI database: which devices it holds, the elements it asks for (named as
the database names them, each marked required or not), the checks beyond presence, and the
file it takes for a bulk submission. `FORMATS` maps each database to its module."""

from medtrace.udi.choices import Database
from medtrace.udi.formats import eudamed, gudid, nmpa

FORMATS = {Database.NMPA: nmpa, Database.GUDID: gudid, Database.EUDAMED: eudamed}
