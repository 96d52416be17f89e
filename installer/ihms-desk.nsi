; IHMS Desk installer for Windows 10/11 (64-bit), built by makensis (NSIS 3).
;
;   makensis -DDIST=dist\ihms-desk -DVERSION=0.1.0 -DOUTFILE=dist\ihms-desk-setup.exe installer\ihms-desk.nsi
;
; Puts the one-folder build (build.spec) in Program Files, asks on which drive the data folder
; goes (a second drive survives a reinstall of Windows), writes ihms-desk.ini beside the
; program so that the desktop shortcut and the nightly task need no arguments
; (ihms_desk/paths.py reads it), lets the PC's users write the data folder, registers the
; nightly sync task (ihms_desk/nightly_task.py makes its definition), and leaves an
; uninstaller that removes the program and the task but never the data folder.
;
; CI compiles this script on Linux with Debian's makensis (tests/test_installer.py) and on a
; Windows runner with the real build (.github/workflows/windows-build.yml).

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef DIST
  !error "give the built program folder: -DDIST=dist\ihms-desk"
!endif
!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef OUTFILE
  !define OUTFILE "ihms-desk-setup-${VERSION}.exe"
!endif

!define APP "IHMS Desk"
!define PUBLISHER "IHMS, Government of Rajasthan"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\IHMS Desk"
!define SETTINGS "ihms-desk.ini"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"
!include "nsDialogs.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

Var DataDrive
Var DataDir
Var DriveList
Var DriveDialog

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
Page custom DataDrivePage DataDrivePageLeave
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\ihms-desk.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Hindi"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "IHMS Desk needs 64-bit Windows 10 or 11."
    Abort
  ${EndIf}
  SetRegView 64
  ; A data folder chosen at an earlier install is kept (an update never moves the data).
  ReadRegStr $DataDir HKLM "${UNINSTALL_KEY}" "DataFolder"
  StrCpy $DataDrive "C:"
  ; The second fixed drive, when there is one, is the better home for the data.
  IfFileExists "D:\*.*" 0 +2
    StrCpy $DataDrive "D:"
FunctionEnd

; Each fixed drive into the list, as "D:".
Function AddDrive
  StrCpy $0 $9 2
  ${NSD_CB_AddString} $DriveList $0
  Push $0
FunctionEnd

Function DataDrivePage
  ${If} $DataDir != ""
    Abort  ; an update: the data folder stays where it is
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "Data drive / डेटा ड्राइव" "Where the facility's records are kept / संस्था के रिकॉर्ड कहाँ रखे जाएँ"
  nsDialogs::Create 1018
  Pop $DriveDialog
  ${NSD_CreateLabel} 0 0 100% 40u "Choose the drive for the data folder (\IHMS\data). A second drive (D:) keeps the records safe when Windows is installed again.$\r$\nडेटा फ़ोल्डर (\IHMS\data) के लिए ड्राइव चुनें। दूसरी ड्राइव (D:) पर रिकॉर्ड Windows दोबारा लगाने पर भी सुरक्षित रहते हैं।"
  Pop $0
  ${NSD_CreateDropList} 0 48u 60u 80u ""
  Pop $DriveList
  ${GetDrives} "HDD" "AddDrive"
  ${NSD_CB_SelectString} $DriveList $DataDrive
  nsDialogs::Show
FunctionEnd

Function DataDrivePageLeave
  ${NSD_GetText} $DriveList $DataDrive
  ${If} $DataDrive == ""
    MessageBox MB_ICONEXCLAMATION "Choose a drive. / एक ड्राइव चुनें।"
    Abort
  ${EndIf}
  StrCpy $DataDir "$DataDrive\IHMS\data"
FunctionEnd

Section "IHMS Desk" Main
  SectionIn RO
  SetRegView 64
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; An update replaces the program folder whole; the data folder is elsewhere.
  RMDir /r "$INSTDIR\_internal"
  File /r "${DIST}\*.*"

  ${If} $DataDir == ""
    StrCpy $DataDir "$DataDrive\IHMS\data"
  ${EndIf}
  CreateDirectory "$DataDir"
  ; Every user of the PC may write the data folder (the program and the nightly task run as them).
  nsExec::ExecToLog 'icacls "$DataDir" /grant *S-1-5-32-545:(OI)(CI)M /T /Q'
  Pop $0
  ; The program finds its data folder here (ihms_desk/paths.py): no --data-dir anywhere.
  Delete "$INSTDIR\${SETTINGS}"
  WriteINIStr "$INSTDIR\${SETTINGS}" "paths" "data_dir" "$DataDir"

  CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\ihms-desk.exe" "" "$INSTDIR\ihms-desk.exe" 0
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\ihms-desk.exe"
  CreateShortcut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"

  ; The nightly sync at 21:00 as a scheduled task (its definition: ihms_desk/nightly_task.py).
  nsExec::ExecToLog '"$INSTDIR\ihms-desk-cli.exe" nightly-task --install'
  Pop $0
  ${If} $0 != 0
    MessageBox MB_ICONEXCLAMATION "The nightly sync task could not be registered (exit $0). The program still syncs while it is open; see docs\install-windows.md."
  ${EndIf}

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DataFolder" "$DataDir"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  SetRegView 64
  SetShellVarContext all
  nsExec::ExecToLog 'schtasks /Delete /TN "IHMS Desk\Nightly sync" /F'
  Pop $0
  ReadRegStr $DataDir HKLM "${UNINSTALL_KEY}" "DataFolder"
  Delete "$DESKTOP\${APP}.lnk"
  RMDir /r "$SMPROGRAMS\${APP}"
  ; The program only: the data folder is the facility's ledger and stays.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\ihms-desk.exe"
  Delete "$INSTDIR\ihms-desk-cli.exe"
  Delete "$INSTDIR\${SETTINGS}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  MessageBox MB_ICONINFORMATION "IHMS Desk is removed. The facility's records are still in $DataDir: keep them until the district says they are synced and archived."
SectionEnd
