<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt's own button texts in Hindi (Qt ships no qtbase_hi.qm). Written by hand: lupdate does
     not see these strings in our sources. Compile: pyside6-lrelease qt_hi.ts -qm qt_hi.qm -->
<TS version="2.1" language="hi_IN">
<context>
    <name>QPlatformTheme</name>
    <message><source>OK</source><translation>ठीक है</translation></message>
    <message><source>Cancel</source><translation>रद्द करें</translation></message>
    <message><source>&amp;Yes</source><translation>हाँ (&amp;Y)</translation></message>
    <message><source>&amp;No</source><translation>नहीं (&amp;N)</translation></message>
    <message><source>Yes to &amp;All</source><translation>सभी के लिए हाँ (&amp;A)</translation></message>
    <message><source>N&amp;o to All</source><translation>सभी के लिए नहीं (&amp;O)</translation></message>
    <message><source>Close</source><translation>बंद करें</translation></message>
    <message><source>Save</source><translation>सेव करें</translation></message>
    <message><source>Apply</source><translation>लागू करें</translation></message>
    <message><source>Help</source><translation>मदद</translation></message>
    <message><source>&amp;Retry</source><translation>फिर कोशिश करें (&amp;R)</translation></message>
    <message><source>Abort</source><translation>रोकें</translation></message>
    <message><source>Ignore</source><translation>अनदेखा करें</translation></message>
    <message><source>Open</source><translation>खोलें</translation></message>
    <message><source>Discard</source><translation>छोड़ दें</translation></message>
</context>
<context>
    <name>QMessageBox</name>
    <message><source>Show Details...</source><translation>विवरण दिखाएँ...</translation></message>
    <message><source>Hide Details...</source><translation>विवरण छिपाएँ...</translation></message>
</context>
<context>
    <name>QLineEdit</name>
    <message><source>&amp;Undo</source><translation>पहले जैसा करें (&amp;U)</translation></message>
    <message><source>&amp;Redo</source><translation>फिर से करें (&amp;R)</translation></message>
    <message><source>Cu&amp;t</source><translation>काटें (&amp;T)</translation></message>
    <message><source>&amp;Copy</source><translation>कॉपी करें (&amp;C)</translation></message>
    <message><source>&amp;Paste</source><translation>चिपकाएँ (&amp;P)</translation></message>
    <message><source>Delete</source><translation>मिटाएँ</translation></message>
    <message><source>Select All</source><translation>सब चुनें</translation></message>
</context>
</TS>
