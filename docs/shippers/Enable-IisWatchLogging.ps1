<#
.SYNOPSIS
    Enables the IIS configuration log that IIS Module Watch needs and reports what this server's event logs hold.

.DESCRIPTION
    Microsoft-IIS-Configuration/Operational, where IIS records configuration changes such as a module added to
    globalModules (event 29, read by "Windows IIS Components New Module Added"), is disabled on a fresh Windows
    install. This script enables it (wevtutil sl <channel> /e:true), optionally sets its maximum size, and then prints,
    for each channel IIS Module Watch reads, whether it is enabled, how many records it holds and when its last event
    was written, so that you can see what a shipper can collect here.

    The channels are those the dashboard declares in lib/ingest/collected-channels.ts (a test keeps this list and that
    one the same). Security, Sysmon and PowerShell/Operational feed the IIS Components story's process and PowerShell
    detections; Sysmon's channel exists only where Sysmon is installed.

    Run it in an elevated PowerShell (enabling a log and reading Security need administrator rights). It changes
    nothing but the IIS configuration log's enabled state and, with -MaxSizeMB, its maximum size; -CheckOnly changes
    nothing at all.

.PARAMETER MaxSizeMB
    Also set the IIS configuration log's maximum size, in megabytes (wevtutil sl /ms:). The Windows default is 1 MB,
    which a busy server fills quickly; the log then overwrites its oldest events.

.PARAMETER CheckOnly
    Report only: do not enable or resize anything.

.EXAMPLE
    .\Enable-IisWatchLogging.ps1
    Enables Microsoft-IIS-Configuration/Operational and prints the report.

.EXAMPLE
    .\Enable-IisWatchLogging.ps1 -MaxSizeMB 64
    Enables it, sizes it to 64 MB, and prints the report.

.PARAMETER PassThru
    Also return the report as objects (one per channel), for Export-Csv or a fleet-wide Invoke-Command.

.EXAMPLE
    .\Enable-IisWatchLogging.ps1 -CheckOnly -PassThru | Export-Csv .\iiswatch-channels.csv -NoTypeInformation
    The report alone, saved as CSV; nothing is changed.

.NOTES
    Part of IIS Module Watch (docs/shippers/README.md). Uses wevtutil and Get-WinEvent, both built into Windows.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [ValidateRange(1, 16384)]
    [int] $MaxSizeMB,

    [switch] $CheckOnly,

    [switch] $PassThru
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The channels IIS Module Watch reads (lib/ingest/collected-channels.ts), and what each is for.
$IisConfigurationChannel = 'Microsoft-IIS-Configuration/Operational'
$Channels = [ordered]@{
    'Microsoft-IIS-Configuration/Operational'  = 'event 29: IIS configuration changes (New Module Added)'
    'Application'                              = 'event 2282: a module DLL that failed to load (Module Failed to Load)'
    'Security'                                 = 'event 4688: process creation with command line (needs command-line auditing)'
    'Microsoft-Windows-Sysmon/Operational'     = 'Sysmon event 1: process creation (needs Sysmon)'
    'Microsoft-Windows-PowerShell/Operational' = 'event 4104: script blocks (needs script block logging)'
}

if (-not $CheckOnly) {
    if ($PSCmdlet.ShouldProcess($IisConfigurationChannel, 'Enable the log')) {
        & wevtutil.exe sl $IisConfigurationChannel /e:true
        if ($LASTEXITCODE -ne 0) { throw "wevtutil could not enable $IisConfigurationChannel (exit code $LASTEXITCODE): run this script as an administrator." }
    }
    if ($MaxSizeMB -and $PSCmdlet.ShouldProcess($IisConfigurationChannel, "Set the maximum size to $MaxSizeMB MB")) {
        & wevtutil.exe sl $IisConfigurationChannel "/ms:$([int64]$MaxSizeMB * 1MB)"
        if ($LASTEXITCODE -ne 0) { throw "wevtutil could not resize $IisConfigurationChannel (exit code $LASTEXITCODE)." }
    }
}

$report = foreach ($name in $Channels.Keys) {
    $log = Get-WinEvent -ListLog $name -ErrorAction SilentlyContinue
    $last = $null
    if ($log -and $log.RecordCount -gt 0) {
        $last = Get-WinEvent -LogName $name -MaxEvents 1 -ErrorAction SilentlyContinue | Select-Object -ExpandProperty TimeCreated
    }
    $status = if (-not $log) { 'missing' }
              elseif (-not $log.IsEnabled) { 'DISABLED' }
              elseif ($log.RecordCount -eq 0) { 'enabled, empty' }
              else { 'enabled' }
    [pscustomobject]@{
        Channel      = $name
        Status       = $status
        Records      = if ($log) { $log.RecordCount } else { $null }
        MaxSizeMB    = if ($log) { [math]::Round($log.MaximumSizeInBytes / 1MB, 1) } else { $null }
        LastEventUtc = if ($last) { $last.ToUniversalTime().ToString('yyyy-MM-dd HH:mm:ss') } else { $null }
        ReadFor      = $Channels[$name]
    }
}

$report | Format-Table -AutoSize | Out-Host

$config = $report | Where-Object Channel -eq $IisConfigurationChannel
if ($config.Status -eq 'DISABLED' -or $config.Status -eq 'missing') {
    Write-Warning "$IisConfigurationChannel is not collected here: New Module Added cannot fire for this server. Is IIS installed? Run without -CheckOnly as an administrator."
}
elseif ($config.Status -eq 'enabled, empty') {
    Write-Host "$IisConfigurationChannel is enabled; it records the next IIS configuration change. Add it to your shipper's channel list (docs/shippers)."
}
if ($PassThru) { $report }
