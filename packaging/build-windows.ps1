# Build Berth for Windows: the PyInstaller bundle and an Inno Setup installer.
#
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
#
# Run from any directory, in a Python 3.11+ environment where Berth is installed
# with the "package" extra (pip install -e ".[package]"); pywin32 comes with it.
# Output:
#   dist\berth\                                 the bundle (berth.exe + _internal\)
#   dist\berth-<version>-windows-x64-setup.exe  the installer
# Needs Inno Setup 6.3+ (ISCC.exe); installed with Chocolatey when it is missing.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

$python = if ($env:PYTHON) { $env:PYTHON } else { "python" }
$version = & $python -c "import runpy; print(runpy.run_path('desktop/__init__.py')['__version__'])"
if ($LASTEXITCODE -ne 0) { throw "cannot read the version from desktop/__init__.py" }
Write-Host "Berth $version"

& $python -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\berth.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The bundle's self-check (packaging\rthook_selfcheck.py). A windowed app has no
# console, so the report goes to a file.
$report = Join-Path $PWD "build\selfcheck.txt"
$env:BERTH_SELF_CHECK = $report
$env:QT_QPA_PLATFORM = "offscreen"
$p = Start-Process -FilePath "dist\berth\berth.exe" -Wait -PassThru -NoNewWindow
Remove-Item Env:BERTH_SELF_CHECK, Env:QT_QPA_PLATFORM
if (Test-Path $report) { Get-Content $report }
if ($p.ExitCode -ne 0) { throw "the bundle's self-check failed ($($p.ExitCode))" }

function Find-Iscc {
    $candidates = @(
        (Get-Command ISCC.exe -ErrorAction SilentlyContinue | ForEach-Object { $_.Source }),
        (Get-ChildItem "${env:ProgramFiles(x86)}\Inno Setup *\ISCC.exe", "$env:ProgramFiles\Inno Setup *\ISCC.exe" `
            -ErrorAction SilentlyContinue | Sort-Object FullName -Descending | ForEach-Object { $_.FullName })
    ) | Where-Object { $_ }
    return $candidates | Select-Object -First 1
}
$iscc = Find-Iscc
if (-not $iscc) {
    Write-Host "installing Inno Setup"
    choco install innosetup -y --no-progress
    $iscc = Find-Iscc
}
if (-not $iscc) { throw "ISCC.exe (Inno Setup) not found" }

& $iscc "/DAppVersion=$version" packaging\windows\berth.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Get-ChildItem dist\berth-*-setup.exe
