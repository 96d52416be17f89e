<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context>
    <name>AdjustScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/adjust.py" line="+40"/>
        <source>Damaged (write-off)</source>
        <translation>खराब (बट्टे खाते में)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired (write-off)</source>
        <translation>एक्सपायर्ड (बट्टे खाते में)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lost (write-off)</source>
        <translation>गुम (बट्टे खाते में)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned to the warehouse</source>
        <translation>ज़िला औषधि भंडार को वापस</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Found (adds stock)</source>
        <translation>मिला (स्टॉक बढ़ेगा)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stocktake correction (+ or -)</source>
        <translation>भौतिक सत्यापन सुधार (+ या -)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>e.g. condemnation committee 25-11, broken in transit</source>
        <translation>जैसे: निष्प्रयोज्य समिति 25-11, रास्ते में टूटा</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Add line</source>
        <translation>पंक्ति जोड़ें</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Adjustment</source>
        <translation>समायोजन</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="-20"/>
        <location line="+21"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="-21"/>
        <location line="+22"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="-22"/>
        <location line="+23"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save adjustment (F10)</source>
        <translation>समायोजन सेव करें (F10)</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>A write-off removes stock from the books for good.</source>
        <translation>बट्टे खाते में डालने से स्टॉक रिकॉर्ड से हमेशा के लिए हट जाता है।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only the MO in-charge or the administrator may save it.</source>
        <translation>इसे केवल MO प्रभारी या एडमिन ही सेव कर सकते हैं।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type -20 to remove 20 units, 20 to add them.</source>
        <translation>20 यूनिट घटाने के लिए -20 लिखें, बढ़ाने के लिए 20।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>+ or - units</source>
        <translation>+ या - यूनिट</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>units</source>
        <translation>यूनिट</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{item} has no batch on the shelf.</source>
        <translation>{item} का कोई बैच रैक पर नहीं है।</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Saved {number}: {lines} line(s), {units} units.</source>
        <translation>{number} सेव हुआ: {lines} पंक्ति, {units} यूनिट।</translation>
    </message>
</context>
<context>
    <name>AlertsScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/alerts.py" line="+59"/>
        <source>All alerts</source>
        <extracomment>A sync older than this is overdue (the desk syncs whenever the line is up, at least nightly). The order kinds are listed in, most serious first. The user opened an alert about an item (Enter or double-click): its item code, so the main window can show it on the stock screen.</extracomment>
        <translation>सभी चेतावनियाँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh</source>
        <translation>ताज़ा करें</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Alert</source>
        <translation>चेतावनी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>विवरण</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Sync has never succeeded: check the internet line and the sync settings.</source>
        <translation>सिंक अब तक एक बार भी सफल नहीं हुआ: इंटरनेट और सिंक सेटिंग जाँचें।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last successful sync {when}: the district cannot see this stock. Check the internet line.</source>
        <translation>पिछला सफल सिंक {when}: ज़िला यह स्टॉक नहीं देख पा रहा। इंटरनेट जाँचें।</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sync overdue</source>
        <translation>सिंक में देरी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Out of stock</source>
        <translation>स्टॉक खत्म</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired on the shelf</source>
        <translation>रैक पर एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Low stock</source>
        <translation>कम स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Near expiry</source>
        <translation>एक्सपायरी नज़दीक</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Nothing needs attention.</source>
        <translation>अभी किसी बात पर ध्यान देने की ज़रूरत नहीं।</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>{name}: out of stock</source>
        <translation>{name}: स्टॉक खत्म</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Batch {batch} expired {expiry}: {qty} on the shelf</source>
        <translation>बैच {batch} की एक्सपायरी {expiry} बीत चुकी: {qty} रैक पर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch {batch} expires {expiry}: {qty} on the shelf</source>
        <translation>बैच {batch} की एक्सपायरी {expiry}: {qty} रैक पर</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name}: {qty} left, {months} months of stock</source>
        <translation>{name}: {qty} बचा, {months} महीने का स्टॉक</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name}: {qty} left, below the minimum {minimum}</source>
        <translation>{name}: {qty} बचा, न्यूनतम {minimum} से कम</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../../ihms_desk/ui/app.py" line="+191"/>
        <source>Restore a backup</source>
        <extracomment>The sync loop and the backup timer start this long after the first window is shown. Ends the program&apos;s event loop with an exit status; tests replace it to see the status. Whether this controller starts the sync loop and backup timer itself (run_app sets it; tests hand in their own adapter or none). The sync loop in its own thread, when this run has one. The instance lock on the data folder (a restore needs it). The integrity check running behind the window (stopped before a restore or at exit).</extracomment>
        <translation>बैकअप वापस लाएँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replace the database with the backup {file}? Everything saved after that backup is lost on this PC (the server keeps what was synced). IHMS Desk closes afterwards.</source>
        <translation>डेटाबेस की जगह बैकअप {file} रखें? उस बैकअप के बाद सेव किया गया सब इस कंप्यूटर से हट जाएगा (जो सिंक हो चुका है वह सर्वर पर रहेगा)। इसके बाद IHMS Desk बंद हो जाएगा।</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Not restored</source>
        <translation>वापस नहीं लाया गया</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Restored</source>
        <translation>वापस लाया गया</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The backup is in place. Open IHMS Desk again.</source>
        <translation>बैकअप लग गया है। IHMS Desk फिर से खोलें।</translation>
    </message>
</context>
<context>
    <name>BackupScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/backup_screen.py" line="+136"/>
        <source>&amp;Back up now</source>
        <extracomment>Asks the in-charge to confirm a restore; tests replace it (a modal would block them). A backup file the in-charge asked to restore (a ``str`` path); the app does the restore. A backup run ended (a :class:`~ihms_desk.backup.BackupReport`), for status bars and tests.</extracomment>
        <translation>अभी बैकअप लें (&amp;B)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>USB stick or network folder (optional)</source>
        <translation>USB ड्राइव या नेटवर्क फ़ोल्डर (वैकल्पिक)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose…</source>
        <translation>चुनें…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save folder</source>
        <translation>फ़ोल्डर सेव करें (&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Second copy in:</source>
        <translation>दूसरी प्रति यहाँ:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Taken at</source>
        <translation>कब लिया</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>आकार</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Folder</source>
        <translation>फ़ोल्डर</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Restore selected backup…</source>
        <translation>चुना हुआ बैकअप वापस लाएँ… (&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Backups</source>
        <translation>बैकअप</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>No backup has been taken yet. Take one now.</source>
        <translation>अभी तक कोई बैकअप नहीं लिया गया। अभी एक लें।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Last backup: %1 (%2 backups kept).</source>
        <translation>पिछला बैकअप: %1 (%2 बैकअप रखे हैं)।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>That is more than two days ago: take one now.</source>
        <translation>यह दो दिन से ज़्यादा पुराना है: अभी बैकअप लें।</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Backing up… you can keep working.</source>
        <translation>बैकअप हो रहा है… आप काम जारी रख सकते हैं।</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Backup saved: %1</source>
        <translation>बैकअप सेव हुआ: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The second copy failed: %1</source>
        <translation>दूसरी प्रति नहीं बन सकी: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The backup failed: %1</source>
        <translation>बैकअप नहीं हो सका: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The backup failed because of an error in the program; it was written to the log.</source>
        <translation>प्रोग्राम की गड़बड़ी से बैकअप नहीं हो सका; इसका विवरण लॉग में लिखा गया है।</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The folder %1 does not exist. Plug in the USB stick, or choose another folder.</source>
        <translation>फ़ोल्डर %1 मौजूद नहीं है। USB ड्राइव लगाएँ या दूसरा फ़ोल्डर चुनें।</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Backups will also be copied to %1.</source>
        <translation>बैकअप की प्रति %1 में भी रखी जाएगी।</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Backups are kept in the data folder only.</source>
        <translation>बैकअप केवल डेटा फ़ोल्डर में रखे जाते हैं।</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Choose a backup in the list first.</source>
        <translation>पहले सूची में से बैकअप चुनें।</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 cannot be read: choose another backup.</source>
        <translation>%1 पढ़ा नहीं जा सकता: दूसरा बैकअप चुनें।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Go back to the backup of %1 (%2 documents)?</source>
        <translation>%1 के बैकअप पर वापस जाएँ (%2 दस्तावेज़)?</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Records saved after it will be missing and must be entered again from the slips. The database as it is now is kept in the backups folder.</source>
        <translation>उसके बाद सेव किए गए रिकॉर्ड नहीं रहेंगे, उन्हें पर्चियों से फिर दर्ज करना होगा। अभी का डेटाबेस बैकअप फ़ोल्डर में रखा रहेगा।</translation>
    </message>
</context>
<context>
    <name>BatchDelegate</name>
    <message>
        <location filename="../../ihms_desk/ui/dispense.py" line="+203"/>
        <source>FEFO (earliest expiry first)</source>
        <translation>FEFO (पहले एक्सपायर होने वाला पहले)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>EXPIRED</source>
        <translation>एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>near expiry</source>
        <translation>एक्सपायरी नज़दीक</translation>
    </message>
</context>
<context>
    <name>BatchTableModel</name>
    <message>
        <location filename="../../ihms_desk/ui/stock_model.py" line="+326"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Manufacturer</source>
        <translation>निर्माता</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unit cost</source>
        <translation>इकाई मूल्य</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Expired</source>
        <translation>एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Near expiry</source>
        <translation>एक्सपायरी नज़दीक</translation>
    </message>
</context>
<context>
    <name>DispenseLineModel</name>
    <message>
        <location filename="../../ihms_desk/ui/dispense.py" line="-129"/>
        <source>#</source>
        <extracomment>Prescription lines the table shows without scrolling, even at 1366x698 (issue 12).</extracomment>
        <translation>क्र.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Prescribed</source>
        <translation>लिखी गई</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dispensing</source>
        <translation>दी जा रही</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>F2 or double-click: choose another batch</source>
        <translation>F2 या डबल-क्लिक: दूसरा बैच चुनें</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Not available: none in stock</source>
        <translation>उपलब्ध नहीं: स्टॉक में नहीं है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Short by {n}: not available</source>
        <translation>{n} कम: उपलब्ध नहीं</translation>
    </message>
</context>
<context>
    <name>DispenseScreen</name>
    <message>
        <location line="+143"/>
        <source>optional, 14 digits</source>
        <translation>वैकल्पिक, 14 अंक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dr. ...</source>
        <translation>डॉ. ...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>OPD no.</source>
        <translation>OPD नं.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Patient name</source>
        <translation>मरीज़ का नाम</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ABHA no.</source>
        <translation>ABHA नं.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prescriber</source>
        <translation>डॉक्टर (लिखने वाले)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Prescription</source>
        <translation>पर्ची की दवाएँ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Item</source>
        <translation>दवा (&amp;I)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quantity</source>
        <translation>मात्रा (&amp;Q)</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>F2 on the batch column: choose another batch · Delete: remove the line</source>
        <translation>बैच कॉलम पर F2: दूसरा बैच चुनें · Delete: पंक्ति हटाएँ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save (Ctrl+S / F10)</source>
        <translation>सेव करें (Ctrl+S / F10)</translation>
    </message>
    <message>
        <location line="+319"/>
        <source>? type 10, 1-0-1 x5, BD 5, TDS x5</source>
        <translation>? लिखें 10, 1-0-1 x5, BD 5, TDS x5</translation>
    </message>
    <message>
        <location line="+132"/>
        <source>Correction</source>
        <extracomment>Header fields&apos; text before a key went in, so a scan typed over them can be undone.</extracomment>
        <translation>सुधार</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop correcting {number}? It stays as it was saved.</source>
        <translation>{number} का सुधार छोड़ें? वह जैसा सेव हुआ था वैसा ही रहेगा।</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Same OPD number</source>
        <translation>वही OPD नंबर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OPD no. {opd} was already given medicines today ({number}). Save another slip for it?</source>
        <translation>OPD नं. {opd} को आज दवा दी जा चुकी है ({number})। इसके लिए एक और पर्ची सेव करें?</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Correct {number}</source>
        <translation>{number} सुधारें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What was wrong (for example: wrong strength)?</source>
        <translation>क्या ग़लत था (जैसे: ग़लत स्ट्रेंथ)?</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{old} corrected: reversed by {reversal} and saved again as {new}.</source>
        <translation>{old} सुधारी गई: {reversal} से रद्द और {new} के रूप में फिर सेव हुई।</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>New patient</source>
        <translation>नया मरीज़</translation>
    </message>
    <message>
        <location line="-511"/>
        <source>Reverse selected…</source>
        <translation>चुनी हुई एंट्री रद्द करें…</translation>
    </message>
    <message>
        <location line="-122"/>
        <source>from the OPD slip, or scan it</source>
        <extracomment>The number of the slip being corrected (Ctrl+E), or None for a new slip. The number of today&apos;s slip already given to the OPD number typed, if any.</extracomment>
        <translation>OPD पर्ची से, या स्कैन करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>or scan the ABHA card</source>
        <translation>या ABHA कार्ड स्कैन करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>35M, 6F, 8mF</source>
        <translation>35M, 6F, 8mF</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Age/sex</source>
        <translation>उम्र/लिंग</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>10, 1-0-1 x5, BD 5, 5ml TDS x5</source>
        <translation>10, 1-0-1 x5, BD 5, 5ml TDS x5</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>New patient (Ctrl+N)</source>
        <translation>नया मरीज़ (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Repeat last (Ctrl+R)</source>
        <translation>पिछली पर्ची दोहराएँ (Ctrl+R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Correct last slip (Ctrl+E)</source>
        <translation>आख़िरी पर्ची सुधारें (Ctrl+E)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Patient return…</source>
        <translation>मरीज़ की वापसी…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Last dispenses</source>
        <translation>हाल में दी गई दवाएँ</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>save</source>
        <translation>सेव</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>new patient</source>
        <translation>नया मरीज़</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>repeat last</source>
        <translation>पिछली दोहराएँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>correct last slip</source>
        <translation>आख़िरी पर्ची सुधारें</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>batch (in the lines)</source>
        <translation>बैच (पंक्तियों में)</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>The unsaved prescription is back: check it and save (Ctrl+S).</source>
        <translation>बिना सेव का पर्चा वापस आ गया: जाँचें और सेव करें (Ctrl+S)।</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n} lines of {name} not saved</source>
        <translation>{name} की {n} पंक्तियाँ सेव नहीं हुईं</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>OPD no. {opd} was already given medicines today ({number}).</source>
        <translation>OPD नं. {opd} को आज दवा दी जा चुकी है ({number})।</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>male</source>
        <translation>पुरुष</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>female</source>
        <translation>महिला</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>other</source>
        <translation>अन्य</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>sex?</source>
        <translation>लिंग?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} months</source>
        <translation>{n} महीने</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} years</source>
        <translation>{n} वर्ष</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{qty} {unit} in stock, nearest expiry {expiry}</source>
        <translation>स्टॉक में {qty} {unit}, निकटतम समाप्ति तिथि {expiry}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>OUT OF STOCK: the line will be recorded as not available</source>
        <translation>स्टॉक खत्म: यह पंक्ति &quot;उपलब्ध नहीं&quot; दर्ज होगी</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Pick an item first: type its name and press Enter.</source>
        <translation>पहले दवा चुनें: नाम लिखकर Enter दबाएँ।</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{code} is already on line {n}: delete that line to change it.</source>
        <translation>{code} पहले से पंक्ति {n} पर है: बदलने के लिए वह पंक्ति हटाएँ।</translation>
    </message>
    <message>
        <location line="+187"/>
        <source>Saved {number}: {name}, {lines} lines.</source>
        <translation>{number} सेव हुआ: {name}, {lines} पंक्तियाँ।</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>NOT AVAILABLE (write NA on the slip): {items}.</source>
        <translation>उपलब्ध नहीं (पर्ची पर NA लिखें): {items}।</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{what}. Drop them and start the next patient?</source>
        <translation>{what}। इन्हें छोड़कर अगला मरीज़ शुरू करें?</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>No earlier slip of {name} in the last 90 days: type the lines.</source>
        <translation>पिछले 90 दिनों में {name} की कोई पर्ची नहीं: पंक्तियाँ लिखें।</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Lines of {number} ({date}) repeated: check them and save (Ctrl+S).</source>
        <translation>{number} ({date}) की पंक्तियाँ दोहराई गईं: जाँचें और सेव करें (Ctrl+S)।</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>correcting {number}</source>
        <translation>{number} का सुधार</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correcting {number}: change what was wrong, then save (Ctrl+S). Esc leaves it as it was.</source>
        <translation>{number} का सुधार: जो ग़लत था बदलें, फिर सेव करें (Ctrl+S)। Esc से वह जैसी थी वैसी रहेगी।</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Patient return</source>
        <translation>मरीज़ की वापसी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Patient return: {number}</source>
        <translation>मरीज़ की वापसी: {number}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Line number and quantity brought back (for example: 2 10):</source>
        <translation>पंक्ति नंबर और वापस लाई गई मात्रा (जैसे: 2 10):</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>patient return</source>
        <translation>मरीज़ की वापसी</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{qty} of line {line} of {number} taken back ({document}): on the shelf again.</source>
        <translation>{number} की पंक्ति {line} से {qty} वापस लिए गए ({document}): फिर से शेल्फ़ पर।</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reverse</source>
        <translation>रद्द करें</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>Select a dispense in the list first.</source>
        <translation>पहले सूची में से एंट्री चुनें।</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Reverse {number}</source>
        <translation>{number} रद्द करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason for the reversal (for example: wrong patient):</source>
        <translation>रद्द करने का कारण (जैसे: गलत मरीज़):</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{number} reversed by {reversal}: the stock is back on the shelf.</source>
        <translation>{number} को {reversal} से रद्द किया: स्टॉक वापस जुड़ गया।</translation>
    </message>
</context>
<context>
    <name>DocumentForm</name>
    <message>
        <location filename="../../ihms_desk/ui/document_form.py" line="+98"/>
        <source>Line</source>
        <extracomment>The fields of one line: a refusal naming one of them at save time belongs under the lines table (the entry fields are empty by then). Where a &quot;your role may not&quot; refusal is shown (None: under the lines, with the rest). The number of the last document saved here (tests and the status line read it).</extracomment>
        <translation>पंक्ति</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Remove line (Del)</source>
        <extracomment>The boxes as they stand, left to right (or top to bottom).</extracomment>
        <translation>पंक्ति हटाएँ (Del)</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>Ctrl+S or F10</source>
        <extracomment>Beside the buttons: the lines&apos; total, or what a preview found.</extracomment>
        <translation>Ctrl+S या F10</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>save</source>
        <translation>सेव करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Del</source>
        <translation>Del</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>remove the chosen line</source>
        <translation>चुनी हुई पंक्ति हटाएँ</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{n} line(s) not saved</source>
        <translation>{n} पंक्ति सेव नहीं हुई</translation>
    </message>
</context>
<context>
    <name>DocumentsScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/documents.py" line="+51"/>
        <source>Reverse {number}?</source>
        <translation>{number} रद्द करें?</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>A reversal document will move every unit of {number} back. It cannot be undone.

Reason: {reason}</source>
        <extracomment>A busy CHC saves up to ~1,500 dispenses a day; the list shows them all.</extracomment>
        <translation>रद्द करने का दस्तावेज़ {number} की हर यूनिट वापस करेगा। इसे पलटा नहीं जा सकता।

कारण: {reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The voucher {name} receives this transfer by will be withdrawn when this desk syncs, so it cannot be received there. If {name} has received it already, the district sees a conflict to settle.</source>
        <translation>{name} जिस वाउचर से यह निर्गम प्राप्त करता, वह इस डेस्क के सिंक होने पर वापस ले लिया जाएगा, फिर वहाँ उसे प्राप्त नहीं किया जा सकेगा। अगर {name} उसे पहले ही प्राप्त कर चुका है, तो ज़िले को सुलझाने के लिए एक विवाद दिखेगा।</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>All kinds</source>
        <translation>सभी प्रकार</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Number</source>
        <translation>नंबर</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+32"/>
        <source>Kind</source>
        <translation>प्रकार</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>Details</source>
        <translation>विवरण</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lines</source>
        <translation>पंक्तियाँ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>By</source>
        <translation>किसने</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+102"/>
        <source>Reversal</source>
        <translation>रद्दीकरण</translation>
    </message>
    <message>
        <location line="-94"/>
        <location line="+144"/>
        <source>Select a document to see what it moved.</source>
        <translation>दस्तावेज़ चुनें, उसका लेन-देन यहाँ दिखेगा।</translation>
    </message>
    <message>
        <location line="-141"/>
        <source>Line</source>
        <translation>पंक्ति</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reason for the reversal, e.g. wrong patient, typed twice</source>
        <translation>रद्द करने का कारण, जैसे गलत मरीज़, दो बार चढ़ गया</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reverse this document</source>
        <translation>यह दस्तावेज़ रद्द करें</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Day</source>
        <translation>दिन</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>District drug warehouse</source>
        <translation>ज़िला औषधि भंडार</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>another facility</source>
        <translation>दूसरी संस्था</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>local purchase</source>
        <translation>स्थानीय खरीद</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+157"/>
        <source>damaged</source>
        <translation>खराब</translation>
    </message>
    <message>
        <location line="-156"/>
        <source>expired, written off</source>
        <translation>एक्सपायर्ड, बट्टे खाते में</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>returned to the warehouse</source>
        <translation>ज़िला औषधि भंडार को वापस</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lost</source>
        <translation>गुम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>found</source>
        <translation>मिला</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stocktake correction</source>
        <translation>सत्यापन सुधार</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>patient return</source>
        <translation>मरीज़ की वापसी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ward</source>
        <translation>वार्ड</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sub-centre</source>
        <translation>उप-केंद्र</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Receipt</source>
        <translation>प्राप्ति</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dispense</source>
        <translation>दवा वितरण</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adjustment</source>
        <translation>समायोजन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer out</source>
        <translation>निर्गम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stocktake</source>
        <translation>भौतिक सत्यापन</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Indent</source>
        <translation>इंडेंट</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n document(s)</source>
        <translation>
            <numerusform>%n दस्तावेज़</numerusform>
            <numerusform>%n दस्तावेज़</numerusform>
        </translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Short expiry taken: {reason}</source>
        <translation>कम अवधि वाला स्टॉक लिया: {reason}</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Received against the synced voucher {voucher}, issued against indent {indent}.</source>
        <translation>सिंक से आए वाउचर {voucher} के विरुद्ध प्राप्त, जो इंडेंट {indent} के विरुद्ध जारी हुआ।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Received against the synced voucher {voucher}, issued without an indent.</source>
        <translation>सिंक से आए वाउचर {voucher} के विरुद्ध प्राप्त, जो बिना इंडेंट के जारी हुआ।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>These lines differed from it:</source>
        <translation>इन पंक्तियों में अंतर निकला:</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>slip {number}, line {line}</source>
        <translation>पर्ची {number}, पंक्ति {line}</translation>
    </message>
    <message>
        <location line="-146"/>
        <source>OPD {opd} · {name} ({age}/{sex}) · {prescriber}</source>
        <translation>OPD {opd} · {name} ({age}/{sex}) · {prescriber}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{item}: prescribed {prescribed}, given {given}</source>
        <translation>{item}: लिखी {prescribed}, दी {given}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not available: {item} × {qty}</source>
        <translation>उपलब्ध नहीं: {item} × {qty}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To {type}: {name}</source>
        <translation>{type} को: {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason: {reason}</source>
        <translation>कारण: {reason}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Brought back from {number}, line {line}</source>
        <translation>{number} की पंक्ति {line} से वापस लाया गया</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>To {name}, approved by {user}</source>
        <translation>{name} को, स्वीकृतकर्ता {user}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{item}: asked {qty}</source>
        <translation>{item}: माँगा {qty}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} batch(es) counted</source>
        <translation>{n} बैच गिने गए</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note: {note}</source>
        <translation>टिप्पणी: {note}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reverses {number}. Reason: {reason}</source>
        <translation>{number} को रद्द करता है। कारण: {reason}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reversed by {number}</source>
        <translation>{number} से रद्द</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>From {source} ({name}), voucher {voucher} of {date}</source>
        <translation>{source} ({name}) से, वाउचर {voucher} दिनांक {date}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From {source}, voucher {voucher} of {date}</source>
        <translation>{source} से, वाउचर {voucher} दिनांक {date}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Everything arrived as sent.</source>
        <translation>सब कुछ भेजे अनुसार आया।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>short</source>
        <translation>कम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>excess</source>
        <translation>अधिक</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Voucher line {line}, {item} batch {batch}: sent {sent}, received {received}, {kind} ({reason})</source>
        <translation>वाउचर पंक्ति {line}, {item} बैच {batch}: भेजा {sent}, प्राप्त {received}, {kind} ({reason})</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Only the MO in-charge or the administrator may reverse a document.</source>
        <translation>दस्तावेज़ केवल MO प्रभारी या एडमिन ही रद्द कर सकते हैं।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Already reversed by {number}.</source>
        <translation>पहले ही {number} से रद्द हो चुका है।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A reversal is not reversed: enter the document again instead.</source>
        <translation>रद्दीकरण को रद्द नहीं करते: दस्तावेज़ फिर से दर्ज करें।</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Type the reason for the reversal.</source>
        <translation>रद्द करने का कारण लिखें।</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{number} reversed by {reversal}.</source>
        <translation>{number} को {reversal} से रद्द किया।</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>reversed by {number}</source>
        <translation>{number} से रद्द</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+13"/>
        <source>reverses {number}</source>
        <translation>{number} को रद्द करता है</translation>
    </message>
</context>
<context>
    <name>DraftKeeper</name>
    <message>
        <location filename="../../ihms_desk/ui/drafts.py" line="+116"/>
        <source>A form was being typed here when the program stopped ({when}). Take it back?</source>
        <extracomment>How long after the last change the draft is written. While a draft is being put back, its own changes are not saved again. Whether the draft was offered already (once, the first time the screen is shown).</extracomment>
        <translation>प्रोग्राम बंद होते समय यहाँ एक फ़ॉर्म भरा जा रहा था ({when})। उसे वापस लें?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unsaved form</source>
        <translation>बिना सेव का फ़ॉर्म</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <location filename="../../ihms_desk/ui/i18n.py" line="+188"/>
        <source>The details were written to the log file:</source>
        <translation>विवरण लॉग फ़ाइल में लिखा गया है:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong inside IHMS Desk. Everything saved before this message is safe.</source>
        <translation>IHMS Desk में कुछ गड़बड़ हुई। इस संदेश से पहले सेव किया गया सब सुरक्षित है।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>If the last save did not show &apos;Saved&apos;, check it and save it again.</source>
        <translation>अगर पिछली बार &apos;सेव हुआ&apos; नहीं दिखा था, तो जाँचें और फिर से सेव करें।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please tell your support person what you were doing.</source>
        <translation>कृपया सहायता कर्मी को बताएँ कि आप क्या कर रहे थे।</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>IHMS Desk: unexpected error</source>
        <extracomment>Latin text in Noto Sans, Devanagari falls through to Noto Sans Devanagari (same metrics family). The text sizes Settings offers, in points (the store keeps the choice as ``text_size``). The .qm bytes each translator reads from (load(bytes) keeps a pointer into them).</extracomment>
        <translation>IHMS Desk: अनपेक्षित गड़बड़ी</translation>
    </message>
</context>
<context>
    <name>FacilityBox</name>
    <message>
        <location filename="../../ihms_desk/ui/facility_box.py" line="+101"/>
        <source>This facility</source>
        <translation>यह संस्था</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Correct the facility</source>
        <translation>संस्था सुधारें</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type}</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This desk has synced with the state server under this code; it can no longer be changed here.</source>
        <translation>यह डेस्क इसी कोड से राज्य सर्वर के साथ सिंक कर चुका है; अब इसे यहाँ नहीं बदला जा सकता।</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Until the first sync, a wrong facility can be corrected: choose the right one and press Correct.</source>
        <translation>पहले सिंक तक गलत संस्था सुधारी जा सकती है: सही संस्था चुनें और &quot;संस्था सुधारें&quot; दबाएँ।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The MO in-charge or the administrator can correct the facility until the first sync.</source>
        <translation>पहले सिंक तक MO इंचार्ज या एडमिनिस्ट्रेटर संस्था सुधार सकते हैं।</translation>
    </message>
</context>
<context>
    <name>FacilityChooser</name>
    <message>
        <location line="-104"/>
        <source>&amp;District</source>
        <translation>ज़िला (&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Block</source>
        <translation>ब्लॉक (&amp;B)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Facility</source>
        <translation>संस्था (&amp;F)</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>(choose the district)</source>
        <translation>(ज़िला चुनें)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(choose the block)</source>
        <translation>(ब्लॉक चुनें)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(choose the facility)</source>
        <translation>(संस्था चुनें)</translation>
    </message>
</context>
<context>
    <name>IndentScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/indent.py" line="+30"/>
        <source>draft</source>
        <translation>मसौदा</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>approved, not sent yet</source>
        <translation>स्वीकृत, अभी भेजा नहीं</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sent</source>
        <translation>भेजा गया</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>partly issued</source>
        <translation>आंशिक जारी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>issued</source>
        <translation>जारी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>closed</source>
        <translation>बंद</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>रद्द</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Indent to the district drug warehouse</source>
        <translation>ज़िला औषधि भंडार को इंडेंट</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+28"/>
        <source>Item</source>
        <translation>मद</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Usable stock</source>
        <translation>उपयोग योग्य स्टॉक</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AMC</source>
        <translation>औसत मासिक खपत</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Days out</source>
        <translation>स्टॉक-शून्य दिन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>On order</source>
        <translation>माँग में लंबित</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Suggested</source>
        <translation>सुझाई मात्रा</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Indent qty</source>
        <translation>इंडेंट मात्रा</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+81"/>
        <source>Emergency</source>
        <translation>आपात</translation>
    </message>
    <message>
        <location line="-80"/>
        <source>Approve indent (F10)</source>
        <translation>इंडेंट स्वीकृत करें (F10)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add or change a line</source>
        <translation>पंक्ति जोड़ें या बदलें</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>for the warehouse (optional)</source>
        <translation>भंडार के लिए (वैकल्पिक)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work suggestions again (Ctrl+G)</source>
        <translation>सुझाव फिर से निकालें (Ctrl+G)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Print (Ctrl+P)</source>
        <translation>प्रिंट (Ctrl+P)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close the chosen indent</source>
        <translation>चुना इंडेंट बंद करें</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Indent</source>
        <translation>इंडेंट</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>तारीख</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lines</source>
        <translation>पंक्तियाँ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Units</source>
        <translation>इकाइयाँ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Draft</source>
        <translation>मसौदा</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Levels</source>
        <translation>स्तर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Indents</source>
        <translation>इंडेंट</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>units; 0 takes the line off</source>
        <translation>इकाइयाँ; 0 से पंक्ति हट जाती है</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set line</source>
        <translation>पंक्ति रखें</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>AMC over {first} to {last} ({days} days), adjusted for days out of stock; order up to {months} months; emergency below {emergency} month(s).</source>
        <translation>औसत मासिक खपत {first} से {last} ({days} दिन) की, स्टॉक-शून्य दिनों के लिए समायोजित; {months} महीने तक का ऑर्डर; {emergency} महीने से कम पर आपात।</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No draft. Ctrl+G works one out from consumption.</source>
        <translation>कोई मसौदा नहीं। Ctrl+G खपत से मसौदा बनाता है।</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Started by {user} on {when}; kept as you type. {state}</source>
        <translation>{user} ने {when} को शुरू किया; लिखते ही सहेजा जाता है। {state}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Emergency items on it.</source>
        <translation>इसमें आपात मदें हैं।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{lines} line(s), {units} units</source>
        <translation>{lines} पंक्ति, {units} इकाई</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Suggestions worked out: {n} item(s) to order.</source>
        <translation>सुझाव तैयार: {n} मद मँगानी हैं।</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Approved {number}: {lines} line(s) to {to}. Sync sends it to the warehouse.</source>
        <translation>{number} स्वीकृत: {lines} पंक्ति, {to} को। सिंक इसे भंडार को भेजेगा।</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Choose an indent in the list first.</source>
        <translation>पहले सूची में कोई इंडेंट चुनें।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close {number}</source>
        <translation>{number} बंद करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why nothing more will come against it:</source>
        <translation>इसके विरुद्ध अब कुछ क्यों नहीं आएगा:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{number} is closed.</source>
        <translation>{number} बंद हो गया।</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>work suggestions again</source>
        <translation>सुझाव फिर से निकालें</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>print</source>
        <translation>प्रिंट</translation>
    </message>
</context>
<context>
    <name>ItemHitModel</name>
    <message>
        <location filename="../../ihms_desk/ui/item_picker.py" line="+62"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Generic name</source>
        <translation>जेनेरिक नाम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stock</source>
        <translation>स्टॉक</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nearest expiry</source>
        <translation>निकटतम समाप्ति तिथि</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Out of stock</source>
        <translation>स्टॉक खत्म</translation>
    </message>
</context>
<context>
    <name>ItemPicker</name>
    <message>
        <location line="+32"/>
        <source>Item: type code, name or generic name</source>
        <extracomment>The ItemHit the user picked (Enter, double-click, or :meth:`choose_code`). With ``popup_over`` (a screen), the results float over it under the field while there are any, as a completer&apos;s list would, instead of taking height in the layout: the dispense screen needs that height for its lines at 1366x698.</extracomment>
        <translation>दवा: कोड, नाम या जेनेरिक नाम लिखें</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>No item with code {code}.</source>
        <translation>कोड {code} की कोई दवा नहीं है।</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>No item matches &apos;{text}&apos;.</source>
        <translation>&apos;{text}&apos; से कोई दवा नहीं मिली।</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/login.py" line="+40"/>
        <source>IHMS Desk — log in</source>
        <extracomment>A login asked for before the store was open, checked when it is.</extracomment>
        <translation>IHMS Desk — लॉग इन</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Medicine counter · IHMS Desk</source>
        <translation>दवा वितरण काउंटर · IHMS Desk</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Log in</source>
        <translation>लॉग इन करें</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;User name</source>
        <translation>यूज़र नाम (&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password</source>
        <translation>पासवर्ड (&amp;P)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Demo CHC. Accounts: {accounts}</source>
        <translation>डेमो CHC. खाते: {accounts}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password for every account: {password}</source>
        <translation>हर खाते का पासवर्ड: {password}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ihms_desk/ui/main_window.py" line="+53"/>
        <source>Dispense</source>
        <translation>दवा वितरण</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receive</source>
        <translation>माल प्राप्ति</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stock</source>
        <translation>स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alerts</source>
        <translation>चेतावनियाँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents</source>
        <translation>दस्तावेज़</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reports</source>
        <translation>रिपोर्टें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Indent</source>
        <translation>इंडेंट</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Vouchers</source>
        <translation>वाउचर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Adjust</source>
        <translation>समायोजन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer</source>
        <translation>निर्गम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stocktake</source>
        <translation>भौतिक सत्यापन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync</source>
        <translation>सिंक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Backup</source>
        <translation>बैकअप</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>सेटिंग</translation>
    </message>
    <message>
        <location line="+63"/>
        <location line="+229"/>
        <source>IHMS Desk — {facility}</source>
        <extracomment>A screen was built (its key and the widget): the app connects sync and backup to it. Any screen saved or reversed a document (the SavedDocument): sync follows soon after. The user chose another language in Settings (&apos;en&apos; or &apos;hi&apos;): the app rebuilds the window.
----------
Set once leaving was agreed to (or asked for by the program), so it is asked once.</extracomment>
        <translation>IHMS Desk — {facility}</translation>
    </message>
    <message>
        <location line="-177"/>
        <source>Screens</source>
        <translation>स्क्रीन</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Go</source>
        <translation>जाएँ (&amp;G)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>&amp;Account</source>
        <translation>खाता (&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Log out</source>
        <translation>लॉग आउट</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quit</source>
        <translation>बंद करें</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Working…</source>
        <translation>काम चल रहा है…</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Not saved</source>
        <extracomment>The screens whose work is running in the worker thread, and what each adds to the title. Whether sync is set up, and its last success: None until the sync loop first reports.</extracomment>
        <translation>सेव नहीं हुआ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{what}. Leave anyway? (What was typed is offered back next time.)</source>
        <translation>{what}। फिर भी छोड़ें? (जो लिखा था वह अगली बार वापस मिलेगा।)</translation>
    </message>
</context>
<context>
    <name>PlaceholderScreen</name>
    <message>
        <location line="-226"/>
        <source>{title}: this screen is not available in this build.</source>
        <extracomment>How long after the window opens the alerts screen is built for the badge count. After a save, the alert badge is recounted once no other save came for this long. Pause between importing two screens&apos; modules in the background. Where each role starts the day.</extracomment>
        <translation>{title}: यह स्क्रीन इस संस्करण में उपलब्ध नहीं है।</translation>
    </message>
</context>
<context>
    <name>ReceiveScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/receive.py" line="+81"/>
        <source>District drug warehouse (DDW)</source>
        <extracomment>The challan (voucher and lines) the clerk was told equals an earlier receipt&apos;s: saving exactly it again confirms it is a second delivery.</extracomment>
        <translation>ज़िला औषधि भंडार (DDW)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another facility</source>
        <translation>दूसरी संस्था</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Local purchase</source>
        <translation>स्थानीय खरीद</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name of the sending facility or supplier</source>
        <translation>भेजने वाली संस्था या सप्लायर का नाम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. DDW/JPR/2026/4411</source>
        <translation>जैसे DDW/JPR/2026/4411</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Challan</source>
        <extracomment>What the scan field shows for the invisible GS separator (U+241D SYMBOL FOR GROUP SEPARATOR). Lines the table shows at 1366x698 (a maximised window above the taskbar), at least.</extracomment>
        <translation>चालान</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Source</source>
        <translation>कहाँ से</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sender</source>
        <translation>भेजने वाला</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Voucher / challan no.</source>
        <translation>वाउचर / चालान नं.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voucher date</source>
        <translation>वाउचर तिथि</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Scan the pack&apos;s barcode here (or type the fields)</source>
        <translation>पैक का बारकोड यहाँ स्कैन करें (या खाने भरें)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>MM/YYYY</source>
        <translation>MM/YYYY</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>units of issue</source>
        <translation>वितरण इकाई</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>₹ per unit (optional)</source>
        <translation>₹ प्रति इकाई (वैकल्पिक)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add line</source>
        <translation>पंक्ति जोड़ें</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Barcode</source>
        <translation>बारकोड</translation>
    </message>
    <message>
        <location line="-42"/>
        <location line="+43"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="-43"/>
        <location line="+44"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expiry (MM/YYYY)</source>
        <translation>एक्सपायरी (MM/YYYY)</translation>
    </message>
    <message>
        <location line="-45"/>
        <location line="+47"/>
        <source>Manufacturer</source>
        <translation>निर्माता</translation>
    </message>
    <message>
        <location line="-46"/>
        <location line="+48"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="-48"/>
        <location line="+49"/>
        <source>Unit cost</source>
        <translation>इकाई मूल्य</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Value</source>
        <translation>मूल्य</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save receipt (F10)</source>
        <translation>प्राप्ति सेव करें (F10)</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>e.g. sent by DDW for use this month</source>
        <translation>जैसे: DDW ने इसी महीने उपयोग हेतु भेजा</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Import challan CSV… (Ctrl+O)</source>
        <translation>चालान CSV आयात करें… (Ctrl+O)</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>import a challan CSV</source>
        <translation>चालान CSV आयात करें</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>That scan went into another field. Scan the pack again here.</source>
        <translation>वह स्कैन दूसरे खाने में चला गया। पैक को यहाँ फिर से स्कैन करें।</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>New barcode {gtin}: pick its item once; it will be remembered.</source>
        <translation>नया बारकोड {gtin}: एक बार उसकी दवा चुनें; आगे याद रहेगा।</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Barcode {gtin} is now {item}; the next scan fills it in.</source>
        <translation>बारकोड {gtin} अब {item} है; अगली स्कैन पर अपने-आप भर जाएगा।</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Import challan</source>
        <translation>चालान आयात करें</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV file (*.csv)</source>
        <translation>CSV फ़ाइल (*.csv)</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Read {lines} line(s) from {file}: check them, then save (F10).</source>
        <translation>{file} से {lines} पंक्ति पढ़ी गईं: जाँच लें, फिर सेव करें (F10)।</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{lines} line(s), {units} units</source>
        <translation>{lines} पंक्ति, {units} यूनिट</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, value {value}</source>
        <translation>, मूल्य {value}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Saved {number}: {lines} line(s) from {voucher}.</source>
        <translation>{number} सेव हुआ: {voucher} से {lines} पंक्ति।</translation>
    </message>
</context>
<context>
    <name>RecentDispensesModel</name>
    <message>
        <location filename="../../ihms_desk/ui/dispense.py" line="-831"/>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Patient</source>
        <translation>मरीज़</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Number</source>
        <translation>नंबर</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lines</source>
        <translation>पंक्तियाँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Reversed by {number}</source>
        <translation>{number} से रद्द</translation>
    </message>
</context>
<context>
    <name>ReportsScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/reports.py" line="+94"/>
        <source>PDF, to print or send (*.pdf)</source>
        <extracomment>The period choices, in the order offered. The period a report opens with: the register of the day, stock at the end of this month, and otherwise the last complete month (what goes to the district each month). Export choices: the file dialog&apos;s filters and the formats they mean.</extracomment>
        <translation>पीडीएफ़, छापने या भेजने हेतु (*.pdf)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>एक्सेल वर्कबुक (*.xlsx)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV, for any spreadsheet (*.csv)</source>
        <translation>सीएसवी, किसी भी स्प्रेडशीट हेतु (*.csv)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save the report as</source>
        <translation>रिपोर्ट इस रूप में सेव करें</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Today</source>
        <extracomment>The item the consumption chart shows (its code), once drawn.</extracomment>
        <translation>आज</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>This month so far</source>
        <translation>इस माह अब तक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last complete month</source>
        <translation>पिछला पूरा माह</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 3 complete months</source>
        <translation>पिछले 3 पूरे माह</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 12 complete months</source>
        <translation>पिछले 12 पूरे माह</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This financial year so far</source>
        <translation>इस वित्तीय वर्ष में अब तक</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dates typed below</source>
        <translation>नीचे लिखी तिथियाँ</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All categories</source>
        <translation>सभी श्रेणियाँ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All items, or type to choose one</source>
        <translation>सभी मद, या कोई एक चुनने हेतु टाइप करें</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+229"/>
        <source>All items</source>
        <translation>सभी मद</translation>
    </message>
    <message>
        <location line="-227"/>
        <source>Build (Ctrl+Enter)</source>
        <translation>बनाएँ (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop (Esc)</source>
        <translation>रोकें (Esc)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save as… (Ctrl+E)</source>
        <translation>सेव करें… (Ctrl+E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Print… (Ctrl+P)</source>
        <translation>प्रिंट… (Ctrl+P)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Report</source>
        <translation>रिपोर्ट</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Period</source>
        <translation>अवधि</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From</source>
        <translation>से</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To</source>
        <translation>तक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation>श्रेणी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Item</source>
        <translation>मद</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Choose a report and a period, then press Ctrl+Enter.</source>
        <translation>रिपोर्ट एवं अवधि चुनें, फिर Ctrl+Enter दबाएँ।</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>build</source>
        <translation>बनाएँ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stop</source>
        <translation>रोकें</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>save as</source>
        <translation>सेव करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>print</source>
        <translation>प्रिंट</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>next table</source>
        <translation>अगली तालिका</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Building {report}…</source>
        <translation>{report} बन रही है…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Stopping…</source>
        <translation>रोका जा रहा है…</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>{what} {seconds} s (Esc stops)</source>
        <translation>{what} {seconds} सेकंड (Esc से रुकेगी)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped. Nothing was saved.</source>
        <translation>रोक दी गई। कुछ भी सेव नहीं हुआ।</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Built in {seconds:.2f} s: {rows} row(s).</source>
        <translation>{seconds:.2f} सेकंड में बनी: {rows} पंक्तियाँ।</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>None</source>
        <translation>शून्य</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items by months of stock on {date}: {count} items with consumption</source>
        <translation>{date} को कितने महीने का स्टॉक: खपत वाले {count} मद</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Months of stock (minimum {minimum}, maximum {maximum})</source>
        <translation>कितने महीने का स्टॉक (न्यूनतम {minimum}, अधिकतम {maximum})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items</source>
        <translation>मद</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Chart: months of stock</source>
        <translation>चार्ट: कितने महीने का स्टॉक</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The item chosen in the table is charted: a year of its monthly consumption.</source>
        <translation>तालिका में चुने गए मद का चार्ट: एक वर्ष की मासिक खपत।</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Chart: consumption of an item</source>
        <translation>चार्ट: एक मद की खपत</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Reading a year of consumption…</source>
        <translation>एक वर्ष की खपत पढ़ी जा रही है…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Consumption of {item} by month, {first} to {last}</source>
        <translation>{item} की माहवार खपत, {first} से {last}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>AMC adjusted for stock-outs: {amc}</source>
        <translation>समायोजित औसत मासिक खपत: {amc}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Saving {file}…</source>
        <translation>{file} सेव हो रही है…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved {path}</source>
        <translation>सेव हुई: {path}</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/settings_screen.py" line="+93"/>
        <source>Language</source>
        <translation>भाषा</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Use this language</source>
        <translation>यह भाषा अपनाएँ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Screens and messages in:</source>
        <translation>स्क्रीन और संदेश की भाषा:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source> pt</source>
        <translation> पॉइंट</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use this text size</source>
        <translation>यह आकार अपनाएँ</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Text size:</source>
        <translation>अक्षरों का आकार:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Facility settings</source>
        <translation>संस्था की सेटिंग</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Near expiry warning (days)</source>
        <translation>एक्सपायरी की पूर्व चेतावनी (दिन)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Low stock below (months of stock)</source>
        <translation>कम स्टॉक की सीमा (कितने महीने का स्टॉक)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Minimum stock level (months of stock)</source>
        <translation>न्यूनतम स्टॉक स्तर (कितने महीने का स्टॉक)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Maximum stock level (months of stock)</source>
        <translation>अधिकतम स्टॉक स्तर (कितने महीने का स्टॉक)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Emergency order point (months of stock)</source>
        <translation>आपात ऑर्डर बिंदु (स्टॉक के महीने)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paper records may be entered up to (days late)</source>
        <translation>कागज़ी रिकॉर्ड कितने दिन बाद तक चढ़ा सकते हैं</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nightly sync time (HH:MM)</source>
        <translation>रात्रि सिंक का समय (HH:MM)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Backup folder (USB drive)</source>
        <translation>बैकअप फ़ोल्डर (USB ड्राइव)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Save settings</source>
        <translation>सेटिंग सेव करें</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Only the MO in-charge or the administrator can change these.</source>
        <translation>इन्हें केवल MO प्रभारी या एडमिन बदल सकते हैं।</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User accounts</source>
        <translation>यूज़र खाते</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>User name</source>
        <translation>यूज़र नाम</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Full name</source>
        <translation>पूरा नाम</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Role</source>
        <translation>भूमिका</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>पासवर्ड</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add user</source>
        <translation>यूज़र जोड़ें</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>My password</source>
        <translation>मेरा पासवर्ड</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Change my password</source>
        <translation>मेरा पासवर्ड बदलें</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New password</source>
        <translation>नया पासवर्ड</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>IHMS Desk {version} · data file: {path}</source>
        <translation>IHMS Desk {version} · डेटा फ़ाइल: {path}</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Saved ({n} changed).</source>
        <translation>सेव हुआ ({n} बदलाव)।</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>User added</source>
        <translation>यूज़र जोड़ा गया</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{name} can now log in as {username}.</source>
        <translation>{name} अब {username} नाम से लॉग इन कर सकते हैं।</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Password changed.</source>
        <translation>पासवर्ड बदल गया।</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../../ihms_desk/ui/setup_wizard.py" line="+202"/>
        <source>IHMS Desk — first setup</source>
        <extracomment>Extra folders to look in for a package (``;``-separated on Windows, ``:`` elsewhere), for support staff whose stick mounts somewhere unusual. The columns that make a CSV file a warehouse challan, or a users file. Roles offered for the facility&apos;s staff (the administrator is made on the page before). What the page is for, at its top. The language was changed in the wizard: the app builds it again in that language.</extracomment>
        <translation>IHMS Desk — पहली बार सेटअप</translation>
    </message>
    <message>
        <location line="+196"/>
        <source>Facility</source>
        <translation>संस्था</translation>
    </message>
    <message>
        <location line="-138"/>
        <source>&lt;h2&gt;Set up IHMS Desk for this facility&lt;/h2&gt;This is done once. Open the facility package from the district, or choose the facility from the state&apos;s list.</source>
        <translation>&lt;h2&gt;इस संस्था के लिए IHMS Desk सेटअप करें&lt;/h2&gt;यह एक ही बार होता है। ज़िले से मिला संस्था पैकेज खोलें, या राज्य की सूची से संस्था चुनें।</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Facility package</source>
        <translation>संस्था पैकेज</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open package… (Ctrl+O)</source>
        <translation>पैकेज खोलें… (Ctrl+O)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Or choose from the state&apos;s facility list</source>
        <translation>या राज्य की संस्था सूची से चुनें</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Next (Enter)</source>
        <translation>आगे (Enter)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&lt;h2&gt;The administrator&lt;/h2&gt;Usually the MO in-charge. This account adds users and changes settings; keep its password safe.</source>
        <translation>&lt;h2&gt;एडमिनिस्ट्रेटर&lt;/h2&gt;आम तौर पर MO इंचार्ज। यह खाता यूज़र जोड़ता है और सेटिंग बदलता है; इसका पासवर्ड सुरक्षित रखें।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;User name</source>
        <translation>यूज़र नाम (&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Full name</source>
        <translation>पूरा नाम (&amp;F)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dr. A. Sharma</source>
        <translation>डॉ. ए. शर्मा</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password</source>
        <translation>पासवर्ड (&amp;P)</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+27"/>
        <source>at least 6 characters</source>
        <translation>कम से कम 6 अक्षर</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Password &amp;again</source>
        <translation>पासवर्ड दोबारा (&amp;A)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Set up (Enter)</source>
        <translation>सेटअप करें (Enter)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;h2&gt;Users&lt;/h2&gt;Add the pharmacist, the store clerk and the others, each with their own password: Enter adds a user. Or import them from a CSV file (username, full_name, role, password). Enter in an empty user name goes on.</source>
        <translation>&lt;h2&gt;यूज़र&lt;/h2&gt;फार्मासिस्ट, स्टोर क्लर्क और बाकी लोगों को जोड़ें, हर एक का अपना पासवर्ड: Enter से यूज़र जुड़ता है। या उन्हें CSV फ़ाइल (username, full_name, role, password) से जोड़ें। खाली यूज़र नाम में Enter से आगे बढ़ें।</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>U&amp;ser name</source>
        <translation>यूज़र नाम (&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F&amp;ull name</source>
        <translation>पूरा नाम (&amp;U)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Role</source>
        <translation>भूमिका (&amp;R)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Pass&amp;word</source>
        <translation>पासवर्ड (&amp;W)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Add user (Enter)</source>
        <translation>यूज़र जोड़ें (Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import users from CSV (F3)</source>
        <translation>CSV से यूज़र जोड़ें (F3)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>User name</source>
        <translation>यूज़र नाम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Full name</source>
        <translation>पूरा नाम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>भूमिका</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Next (F10)</source>
        <translation>आगे (F10)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&lt;h2&gt;Stock on the shelf&lt;/h2&gt;Receive the warehouse&apos;s challan file (CSV) to start with the stock you hold. You can also receive stock later on the Receive screen.</source>
        <translation>&lt;h2&gt;रैक पर स्टॉक&lt;/h2&gt;जो स्टॉक आपके पास है, उससे शुरू करने के लिए वेयरहाउस की चालान फ़ाइल (CSV) प्राप्त करें। स्टॉक बाद में प्राप्ति स्क्रीन पर भी लिया जा सकता है।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Receive this challan and finish (Enter)</source>
        <translation>यह चालान प्राप्त करें और समाप्त करें (Enter)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open challan… (Ctrl+O)</source>
        <translation>चालान खोलें… (Ctrl+O)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Finish without stock (F10)</source>
        <translation>बिना स्टॉक के समाप्त करें (F10)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Administrator</source>
        <translation>एडमिनिस्ट्रेटर</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Users</source>
        <translation>यूज़र</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stock on the shelf</source>
        <translation>रैक पर स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step {n} of {total}: {title}</source>
        <translation>चरण {n} / {total}: {title}</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>{n} facility packages found on {where}: choose this facility&apos;s (type the first letters of its code).</source>
        <translation>{where} पर {n} संस्था पैकेज मिले: इस संस्था का पैकेज चुनें (उसके कोड के पहले अक्षर टाइप करें)।</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No facility package found beside the program or on a USB stick. Plug the stick in and press Ctrl+O, or choose from the list below.</source>
        <translation>प्रोग्राम के पास या USB स्टिक पर कोई संस्था पैकेज नहीं मिला। स्टिक लगाकर Ctrl+O दबाएँ, या नीचे की सूची से चुनें।</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Open facility package</source>
        <translation>संस्था पैकेज खोलें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Facility package (*{suffix})</source>
        <translation>संस्था पैकेज (*{suffix})</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Package for &lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type}. The desk enrols with {server} by itself when the line is up; code valid until {until}.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type} का पैकेज। इंटरनेट मिलते ही डेस्क {server} पर अपने-आप पंजीकृत होगा; कोड {until} तक मान्य है।</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>This PC is set up for: &lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type}.</source>
        <translation>यह कंप्यूटर इस संस्था के लिए सेटअप होगा: &lt;b&gt;{name}&lt;/b&gt; ({code}), {district} · {block} · {type}।</translation>
    </message>
    <message>
        <location line="+121"/>
        <source>Users file found: {file}. Enter adds its users and goes on (F3 adds them only).</source>
        <translation>यूज़र फ़ाइल मिली: {file}। Enter से इसके यूज़र जुड़ेंगे और आगे बढ़ेंगे (F3 से केवल जुड़ेंगे)।</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Import users</source>
        <translation>यूज़र जोड़ें</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+61"/>
        <source>CSV file (*.csv)</source>
        <translation>CSV फ़ाइल (*.csv)</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>{added} users added from {file}.</source>
        <translation>{file} से {added} यूज़र जुड़े।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Row {row}: {reason}</source>
        <translation>पंक्ति {row}: {reason}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Loading the item catalogue first…</source>
        <translation>पहले दवा सूची लोड हो रही है…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No challan file found beside the package. Ctrl+O opens one; F10 finishes without stock.</source>
        <translation>पैकेज के पास कोई चालान फ़ाइल नहीं मिली। Ctrl+O से फ़ाइल खोलें; F10 से बिना स्टॉक के समाप्त करें।</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Challan {number} of {date} in {file}: {lines} lines, {units} units.</source>
        <translation>{file} में चालान {number}, दिनांक {date}: {lines} पंक्तियाँ, {units} इकाइयाँ।</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open challan</source>
        <translation>चालान खोलें</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Saved {number}: {lines} lines received.</source>
        <translation>{number} सेव हुआ: {lines} पंक्तियाँ प्राप्त हुईं।</translation>
    </message>
    <message>
        <location line="-481"/>
        <source>&amp;Language</source>
        <translation>भाषा (&amp;L)</translation>
    </message>
    <message>
        <location line="+315"/>
        <source>No starter catalogue in this build: import the item list later (Settings).</source>
        <translation>इस संस्करण में दवाओं की शुरुआती सूची नहीं है: सूची बाद में आयात करें (सेटिंग)।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading the starter item catalogue…</source>
        <translation>दवाओं की शुरुआती सूची लोड हो रही है…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{added} items loaded into the catalogue.</source>
        <translation>सूची में {added} दवाएँ/सामान जोड़े गए।</translation>
    </message>
</context>
<context>
    <name>StartupChecks</name>
    <message>
        <location filename="../../ihms_desk/ui/i18n.py" line="+5"/>
        <source>The database is damaged</source>
        <translation>डेटाबेस खराब हो गया है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The data folder cannot be used</source>
        <translation>डेटा फ़ोल्डर काम में नहीं लिया जा सकता</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>बंद करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue</source>
        <translation>जारी रखें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore this backup</source>
        <translation>यह बैकअप वापस लाएँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The disk is nearly full</source>
        <translation>डिस्क लगभग भर गई है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The database in {folder} is damaged ({detail}). Do not type in new records until this is fixed.</source>
        <translation>{folder} का डेटाबेस खराब है ({detail})। इसके ठीक होने तक नए रिकॉर्ड न चढ़ाएँ।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No good backup was found. Call your support person; do not delete anything in the data folder.</source>
        <translation>कोई सही बैकअप नहीं मिला। सहायता कर्मी को बुलाएँ; डेटा फ़ोल्डर से कुछ भी न मिटाएँ।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The data folder cannot be written</source>
        <translation>डेटा फ़ोल्डर में लिखा नहीं जा सकता</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The disk is full</source>
        <translation>डिस्क भर गई है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The database is in use</source>
        <translation>डेटाबेस अभी काम में है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up to then; records made after it must be entered again from the paper slips. The damaged file is kept.</source>
        <translation>सबसे नया सही बैकअप {when} का है ({documents} दस्तावेज़)। इसे वापस लाने से तब तक का सब लौट आएगा; उसके बाद के रिकॉर्ड कागज़ की पर्चियों से फिर दर्ज करने होंगे। खराब फ़ाइल संभाल कर रखी जाएगी।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>IHMS Desk is already open</source>
        <translation>IHMS Desk पहले से खुला है</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only {free} MB are free on the disk holding the data folder ({folder}). IHMS Desk will stop saving when it is full. Delete old files or ask for help today.</source>
        <translation>डेटा फ़ोल्डर ({folder}) वाली डिस्क पर केवल {free} MB खाली है। भर जाने पर IHMS Desk सेव करना बंद कर देगा। आज ही पुरानी फ़ाइलें हटाएँ या मदद लें।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The backup could not be restored</source>
        <translation>बैकअप वापस नहीं लाया जा सका</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The database is missing</source>
        <translation>डेटाबेस नहीं मिला</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The database in {folder} is missing or empty, but backups of this facility are kept there. Do not set the facility up again: restore a backup.</source>
        <translation>{folder} में डेटाबेस नहीं है या खाली है, पर वहाँ इस संस्थान के बैकअप रखे हैं। संस्थान को दोबारा सेट-अप न करें: कोई बैकअप वापस लाएँ।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The latest good backup is from {when} ({documents} documents). Restoring it brings back everything up to then; records made after it must be entered again from the paper slips.</source>
        <translation>सबसे नया सही बैकअप {when} का है ({documents} दस्तावेज़)। इसे वापस लाने से तब तक का सब लौट आएगा; उसके बाद के रिकॉर्ड कागज़ की पर्चियों से फिर दर्ज करने होंगे।</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The disk could not be read or written</source>
        <translation>डिस्क से पढ़ा या उस पर लिखा नहीं जा सका</translation>
    </message>
</context>
<context>
    <name>StockScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/stock.py" line="+31"/>
        <source>Search: code, name or generic name</source>
        <translation>खोजें: कोड, नाम या जेनेरिक नाम</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All categories</source>
        <translation>सभी श्रेणियाँ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In stock</source>
        <translation>स्टॉक में</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All items</source>
        <translation>सभी दवाएँ/सामान</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Out of stock</source>
        <translation>स्टॉक खत्म</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Low stock</source>
        <translation>कम स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Near expiry</source>
        <translation>एक्सपायरी नज़दीक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired on the shelf</source>
        <translation>रैक पर एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>ताज़ा करें</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+95"/>
        <source>Select an item to see its batches.</source>
        <translation>बैच देखने के लिए दवा चुनें।</translation>
    </message>
    <message>
        <location line="-64"/>
        <source>Loading stock…</source>
        <translation>स्टॉक लोड हो रहा है…</translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n दवा/सामान</numerusform>
            <numerusform>%n दवाएँ/सामान</numerusform>
        </translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Batches of {item} ({code}): {count}</source>
        <translation>{item} ({code}) के बैच: {count}</translation>
    </message>
</context>
<context>
    <name>StockTableModel</name>
    <message>
        <location filename="../../ihms_desk/ui/stock_model.py" line="-244"/>
        <source>Code</source>
        <extracomment>Rows handed to the view per fetchMore: enough to fill a screen, cheap to lay out. A load finished: rows and verdicts are in and shown; the argument is seconds since load(). A load failed: the exception (EnvironmentProblem, or a bug).</extracomment>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Category</source>
        <translation>श्रेणी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On hand</source>
        <translation>उपलब्ध</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Usable</source>
        <translation>देने योग्य स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired</source>
        <translation>एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Batches</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nearest expiry</source>
        <translation>निकटतम समाप्ति तिथि</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AMC</source>
        <translation>औसत मासिक खपत (AMC)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Months of stock</source>
        <translation>कितने महीने का स्टॉक</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Out of stock</source>
        <translation>स्टॉक खत्म</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Low stock</source>
        <translation>कम स्टॉक</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A batch expires soon</source>
        <translation>एक बैच जल्द एक्सपायर होगा</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Expired stock on the shelf: write it off or return it</source>
        <translation>रैक पर एक्सपायर्ड स्टॉक: बट्टे खाते में डालें या वापस करें</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Drug</source>
        <translation>दवा</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Surgical</source>
        <translation>सर्जिकल</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suture</source>
        <translation>टाँका (सूचर)</translation>
    </message>
    <message>
        <location filename="../../ihms_desk/ui/forms.py" line="+481"/>
        <source>{batch} · exp {expiry} · {qty} on hand</source>
        <extracomment>ok, the result or the error, the caller&apos;s tag; emitted in the worker thread, queued here.</extracomment>
        <translation>{batch} · एक्सपायरी {expiry} · {qty} उपलब्ध</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>EXPIRED</source>
        <translation>एक्सपायर्ड</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>near expiry</source>
        <translation>एक्सपायरी नज़दीक</translation>
    </message>
</context>
<context>
    <name>StocktakeScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/stocktake.py" line="+69"/>
        <source>All categories</source>
        <translation>सभी श्रेणियाँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add all batches of the category</source>
        <translation>इस श्रेणी के सभी बैच जोड़ें</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+31"/>
        <source>Item</source>
        <extracomment>The count sheet (the document&apos;s lines) and its table.</extracomment>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="-31"/>
        <location line="+33"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Book</source>
        <translation>रिकॉर्ड में</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+33"/>
        <source>Counted</source>
        <translation>गिने गए</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Difference</source>
        <translation>अंतर</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>count of the selected batch, Enter for the next</source>
        <translation>चुने बैच की गिनती, अगले के लिए Enter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. quarterly physical verification, shelf B</source>
        <translation>जैसे तिमाही भौतिक सत्यापन, रैक B</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove batch (Del)</source>
        <translation>बैच हटाएँ (Del)</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Clear the sheet</source>
        <translation>सूची खाली करें</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preview differences (Ctrl+D)</source>
        <translation>अंतर देखें (Ctrl+D)</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Save stocktake (F10)</source>
        <translation>सत्यापन सेव करें (F10)</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Batches to count</source>
        <translation>गिनने वाले बैच</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Category</source>
        <translation>श्रेणी</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Count</source>
        <extracomment>Set by the preview: the difference the store will record (None until previewed).</extracomment>
        <translation>गिनती</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>preview the differences</source>
        <translation>अंतर देखें</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>{item} has no stock on the books: receive it or record it as found.</source>
        <translation>{item} का रिकॉर्ड में कोई स्टॉक नहीं: प्राप्ति दर्ज करें या &quot;मिला&quot; में दर्ज करें।</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Reading the batches…</source>
        <translation>बैच पढ़े जा रहे हैं…</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>%n batch(es) on the sheet.</source>
        <translation>
            <numerusform>सूची में %n बैच।</numerusform>
            <numerusform>सूची में %n बैच।</numerusform>
        </translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Add batches to the sheet first.</source>
        <translation>पहले सूची में बैच जोड़ें।</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A counted quantity is a whole number, 0 or more.</source>
        <translation>गिनी गई मात्रा 0 या उससे ज़्यादा पूर्ण संख्या होनी चाहिए।</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{counted} of {total} batch(es) counted. Preview the differences, then save.</source>
        <translation>{total} में से {counted} बैच गिने गए। अंतर देखें, फिर सेव करें।</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Type at least one counted quantity.</source>
        <translation>कम से कम एक गिनी हुई मात्रा लिखें।</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{n} batch(es) differ from the books: {short} units missing, {extra} units more than the books. Save to correct the books.</source>
        <translation>{n} बैच रिकॉर्ड से अलग हैं: {short} यूनिट कम, {extra} यूनिट रिकॉर्ड से ज़्यादा। रिकॉर्ड सुधारने के लिए सेव करें।</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Check the differences, then save again.</source>
        <translation>अंतर जाँचें, फिर से सेव करें।</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Saved {number}: {lines} batch(es) counted, {moved} corrected.</source>
        <translation>{number} सेव हुआ: {lines} बैच गिने, {moved} सुधारे गए।</translation>
    </message>
</context>
<context>
    <name>SyncAdapter</name>
    <message>
        <location filename="../../ihms_desk/ui/sync_adapter.py" line="+120"/>
        <source>{facility} ({code}) is enrolled with {server}.</source>
        <extracomment>The whole :class:`SyncStatus`, after every pass and when a pass starts. online (bool; None when not enrolled or not tried yet), events waiting, last success (ISO timestamp text or None), last error in plain English words (or None; the status bar words it in the user&apos;s language): exactly the arguments of ``ihms_desk.ui.sync_status.SyncStatus.set_state``. Events sent so far in this pass, events still waiting. Enrolment done (True) or refused (False), with the message to show, in the user&apos;s language. The enrolment thread&apos;s result (an Enrolment, a SyncError or an unexpected exception), handed to the GUI thread, where it is worded (translations belong to that thread).</extracomment>
        <translation>{facility} ({code}) {server} के साथ पंजीकृत हो गया।</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enrolment failed unexpectedly: {error}</source>
        <translation>पंजीकरण में अनपेक्षित गड़बड़ी हुई: {error}</translation>
    </message>
</context>
<context>
    <name>SyncScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/sync_screen.py" line="+34"/>
        <source>State server</source>
        <translation>राज्य सर्वर</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Server</source>
        <translation>सर्वर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connection</source>
        <translation>कनेक्शन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting to be sent</source>
        <translation>भेजनी बाकी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last success</source>
        <translation>पिछली सफलता</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delivered</source>
        <translation>भेजे गए</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last error</source>
        <translation>पिछली गड़बड़ी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PC clock</source>
        <translation>कंप्यूटर की घड़ी</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync now</source>
        <translation>अभी सिंक करें</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enrol this desk</source>
        <translation>यह कंप्यूटर पंजीकृत करें</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enrol</source>
        <translation>पंजीकरण करें</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Server address</source>
        <translation>सर्वर का पता</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enrolment code from the district</source>
        <translation>ज़िले से मिला पंजीकरण कोड</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Set aside by the server</source>
        <translation>सर्वर ने अलग रखी</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>These records are kept on this PC but the server did not take them. They never hold up the others. Show this list to the district.</source>
        <translation>ये रिकॉर्ड इस कंप्यूटर पर सुरक्षित हैं, पर सर्वर ने इन्हें नहीं लिया। इनसे बाकी एंट्री नहीं रुकतीं। यह सूची ज़िले को दिखाएँ।</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Document</source>
        <translation>दस्तावेज़</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>प्रकार</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sequence</source>
        <translation>क्रम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When</source>
        <translation>कब</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Not enrolled yet: enter the address and code below.</source>
        <translation>अभी पंजीकृत नहीं: नीचे पता और कोड भरें।</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+43"/>
        <source>Syncing...</source>
        <translation>सिंक हो रहा है...</translation>
    </message>
    <message>
        <location line="-41"/>
        <source>Not tried yet</source>
        <translation>अभी कोशिश नहीं हुई</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online</source>
        <translation>ऑनलाइन</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Offline</source>
        <translation>ऑफ़लाइन</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(next try at %1)</source>
        <translation>(अगली कोशिश %1 पर)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 waiting, %2 set aside</source>
        <translation>%1 बाकी, %2 अलग रखी</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+4"/>
        <source>Never</source>
        <translation>कभी नहीं</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>%1 in the last hour; last at %2</source>
        <translation>पिछले एक घंटे में %1; आख़िरी बार %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>None</source>
        <translation>कोई नहीं</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not checked yet</source>
        <translation>अभी जाँचा नहीं</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This PC&apos;s clock is %1 minutes off the server&apos;s. Please set the correct date and time; sync goes on meanwhile.</source>
        <translation>इस कंप्यूटर की घड़ी सर्वर से %1 मिनट अलग है। कृपया सही तारीख और समय लगाएँ; तब तक सिंक चलता रहेगा।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Correct</source>
        <translation>सही</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Type the server address and the enrolment code.</source>
        <translation>सर्वर का पता और पंजीकरण कोड लिखें।</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enrolling...</source>
        <translation>पंजीकरण हो रहा है...</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location filename="../../ihms_desk/ui/sync_status.py" line="+48"/>
        <source>Sync: not set up</source>
        <translation>सिंक: सेटअप नहीं</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sync: online</source>
        <translation>सिंक: ऑनलाइन</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sync: offline</source>
        <translation>सिंक: ऑफ़लाइन</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} events waiting</source>
        <translation>{n} एंट्री भेजनी बाकी</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last sync: {when}</source>
        <translation>पिछला सिंक: {when}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Last sync: never</source>
        <translation>पिछला सिंक: कभी नहीं</translation>
    </message>
</context>
<context>
    <name>TransferScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/transfer.py" line="+34"/>
        <source>Ward</source>
        <translation>वार्ड</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sub-centre</source>
        <translation>उप-केंद्र</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other facility</source>
        <translation>दूसरी संस्था</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>indent number, who collected</source>
        <translation>इंडेंट नंबर, किसने लिया</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>units</source>
        <translation>यूनिट</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Add line</source>
        <translation>पंक्ति जोड़ें</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>Transfer out</source>
        <translation>निर्गम (वार्ड / संस्था को)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>To</source>
        <translation>किसे</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>टिप्पणी</translation>
    </message>
    <message>
        <location line="-20"/>
        <location line="+21"/>
        <source>Item</source>
        <translation>दवा/सामान</translation>
    </message>
    <message>
        <location line="-21"/>
        <location line="+22"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="-22"/>
        <location line="+23"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Usable stock</source>
        <translation>देने योग्य स्टॉक</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save transfer (F10)</source>
        <translation>निर्गम सेव करें (F10)</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Male ward</source>
        <translation>पुरुष वार्ड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Female ward</source>
        <translation>महिला वार्ड</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Labour room</source>
        <translation>प्रसव कक्ष (लेबर रूम)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Emergency</source>
        <translation>आपातकालीन</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operation theatre</source>
        <translation>ऑपरेशन थिएटर</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Children&apos;s ward</source>
        <translation>बाल वार्ड</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose or type where it goes</source>
        <translation>कहाँ जा रहा है, चुनें या लिखें</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Earliest expiry first (FEFO)</source>
        <translation>पहले एक्सपायर होने वाला पहले (FEFO)</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>FEFO</source>
        <translation>FEFO</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Only {n} usable on the shelf: a transfer is never short, so saving will be refused.</source>
        <translation>रैक पर केवल {n} देने योग्य: निर्गम कम नहीं भेजा जाता, इसलिए सेव नहीं होगा।</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Saved {number} to {name}: {taken}.</source>
        <translation>{number} सेव हुआ, {name} को: {taken}।</translation>
    </message>
</context>
<context>
    <name>UsersModel</name>
    <message>
        <location filename="../../ihms_desk/ui/settings_screen.py" line="-258"/>
        <source>User name</source>
        <translation>यूज़र नाम</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Full name</source>
        <translation>पूरा नाम</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>भूमिका</translation>
    </message>
</context>
<context>
    <name>VoucherScreen</name>
    <message>
        <location filename="../../ihms_desk/ui/vouchers.py" line="+56"/>
        <source>Voucher to receive</source>
        <translation>प्राप्त करने का वाउचर</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Line</source>
        <translation>पंक्ति</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Code</source>
        <translation>कोड</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+13"/>
        <source>Item</source>
        <extracomment>The voucher shown is withdrawn: nothing on it is received.</extracomment>
        <translation>मद</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Batch</source>
        <translation>बैच</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Expiry</source>
        <translation>एक्सपायरी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sent</source>
        <translation>भेजा</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+29"/>
        <source>Received</source>
        <translation>प्राप्त</translation>
    </message>
    <message>
        <location line="-29"/>
        <location line="+30"/>
        <source>Difference</source>
        <translation>अंतर</translation>
    </message>
    <message>
        <location line="-30"/>
        <location line="+31"/>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Save receipt (F10)</source>
        <translation>प्राप्ति सेव करें (F10)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Check the chosen line (Enter in the table)</source>
        <translation>चुनी पंक्ति जाँचें (तालिका में Enter)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>To</source>
        <translation>किसे</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quantity</source>
        <translation>मात्रा</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why</source>
        <translation>क्यों</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Make the transfer (Ctrl+T)</source>
        <translation>स्थानांतरण बनाएँ (Ctrl+T)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voucher</source>
        <translation>वाउचर</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Suggested transfers</source>
        <translation>सुझाए स्थानांतरण</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>units that arrived usable</source>
        <translation>उपयोग योग्य पहुँची इकाइयाँ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>As sent</source>
        <translation>जैसा भेजा</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+95"/>
        <source>Short</source>
        <translation>कम</translation>
    </message>
    <message>
        <location line="-95"/>
        <location line="+95"/>
        <source>Excess</source>
        <translation>अधिक</translation>
    </message>
    <message>
        <location line="-94"/>
        <location line="+94"/>
        <source>Damaged</source>
        <translation>क्षतिग्रस्त</translation>
    </message>
    <message>
        <location line="-93"/>
        <source>e.g. one carton missing</source>
        <translation>जैसे एक कार्टन कम</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Set line</source>
        <translation>पंक्ति रखें</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Back to as sent (Del)</source>
        <translation>जैसा भेजा वैसा करें (Del)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>transfer</source>
        <translation>स्थानांतरण</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>voucher</source>
        <translation>वाउचर</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{number} · {kind} from {sender} · withdrawn</source>
        <translation>{number} · {sender} से {kind} · वापस लिया गया</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{number} · {kind} from {sender} · {lines} line(s)</source>
        <translation>{number} · {sender} से {kind} · {lines} पंक्ति</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No voucher waiting. Sync brings the vouchers the warehouse issues.</source>
        <translation>कोई वाउचर बाकी नहीं। भंडार के जारी वाउचर सिंक से आते हैं।</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>against indent {number}</source>
        <translation>इंडेंट {number} के विरुद्ध</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From {sender} ({code}), issued {date} {indent}</source>
        <translation>{sender} ({code}) से, {date} को जारी {indent}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Withdrawn: {sender} reversed this transfer on {date} ({reversal}). Do not receive it; if the stock came all the same, keep it aside and tell {sender} and the district.</source>
        <translation>वापस लिया गया: {sender} ने {date} को यह स्थानांतरण रद्द कर दिया ({reversal})। इसे प्राप्त न करें; अगर स्टॉक फिर भी आ गया हो, तो उसे अलग रखें और {sender} व ज़िले को बताएँ।</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>surplus</source>
        <translation>अधिशेष</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>expires {month}</source>
        <translation>{month} में एक्सपायर</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{lines} line(s), {units} units sent; withdrawn: nothing to receive</source>
        <translation>{lines} पंक्ति, {units} इकाई भेजी; वापस लिया गया: कुछ प्राप्त नहीं करना</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{lines} line(s), {units} units received; {differ} differ from the voucher</source>
        <translation>{lines} पंक्ति, {units} इकाई प्राप्त; {differ} वाउचर से अलग</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Saved {number}: voucher {voucher} received, {differ} difference(s).</source>
        <translation>{number} सेव: वाउचर {voucher} प्राप्त, {differ} अंतर।</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Saved {number}: {item} to {to} ({taken}).</source>
        <translation>{number} सेव: {item} {to} को ({taken})।</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>make the suggested transfer</source>
        <translation>सुझाया स्थानांतरण बनाएँ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the chosen line back to as sent</source>
        <translation>चुनी पंक्ति जैसी भेजी वैसी</translation>
    </message>
</context>
<context>
    <name>dialogs</name>
    <message>
        <location filename="../../ihms_desk/ui/dialogs.py" line="+55"/>
        <source>Nothing was saved</source>
        <extracomment>The last boxes shown, newest last, so tests (and the bug reporter) can see what was said.</extracomment>
        <translation>कुछ भी सेव नहीं हुआ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refused</source>
        <translation>स्वीकार नहीं हुआ</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../ihms_desk/ui/backup_screen.py" line="-199"/>
        <source>Choose the backup folder</source>
        <translation>बैकअप फ़ोल्डर चुनें</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Restore a backup?</source>
        <extracomment>Opens the folder chooser; tests replace it (a native dialog would block them).</extracomment>
        <translation>बैकअप वापस लाएँ?</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <location filename="../../ihms_desk/ui/settings_screen.py" line="-11"/>
        <source>Pharmacist</source>
        <extracomment>key, default shown when never set.</extracomment>
        <translation>फार्मासिस्ट</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Store clerk</source>
        <translation>स्टोर क्लर्क</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MO in-charge</source>
        <translation>MO प्रभारी</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Administrator</source>
        <translation>एडमिन</translation>
    </message>
</context>
</TS>
