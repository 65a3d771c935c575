; Inno Setup script for Berth's Windows installer (Inno Setup 6.3 or later).
;
; Built by packaging\build-windows.ps1 from the PyInstaller bundle in dist\berth\:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\berth.iss
; Output: dist\berth-<version>-windows-x64-setup.exe
;
; Installs per user by default (no administrator rights needed; the setup offers
; "install for all users" too), adds a Start menu entry, an optional desktop icon
; and an uninstaller. Paths below are relative to this file.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Berth"
#define AppExe "berth.exe"
#define Bundle "..\..\dist\berth"

[Setup]
; Never change AppId: it is how an update finds the installed copy to replace.
AppId={{4027480F-167B-435B-8A61-C93515AAB49C}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Berth
AppComments=A desktop application for managing Docker
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=berth-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\appicon\berth.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running Berth before files are replaced, and start it again afterwards.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Bundle}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Bundle}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An update replaces the whole bundle: files a previous version had must not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
