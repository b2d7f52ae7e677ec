#!/usr/bin/env bash
# The browser of the browser tests (issue 5): Debian's Chromium, driven headless by Playwright.
#
#   scripts/browser.sh ensure   install Debian's `chromium` package if it is missing, print its version
#   scripts/browser.sh path     print the browser's path (exit 1 if it is not installed)
#
# The browser is $CARRIERDESK_CHROMIUM (default /usr/bin/chromium). Installing needs root, or
# sudo; it uses Debian's package mirrors only (Playwright's own browser downloads are not used,
# so `playwright install` is never needed). Already installed: no network, well under a second.
# With it comes a small Chinese font (fonts-wqy-microhei, 1.6 MB) when no font has Chinese
# glyphs, so that the screenshots of the zh-Hans pages show text rather than empty boxes.
set -euo pipefail

CHROMIUM=${CARRIERDESK_CHROMIUM:-/usr/bin/chromium}

log() { printf 'browser.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/browser.sh ensure   install Debian's chromium if missing, print its version
       scripts/browser.sh path     print the browser's path, or fail if it is not installed
EOF
    exit 2
}

CJK_FONT_PACKAGE=fonts-wqy-microhei

installed() { [ -x "$CHROMIUM" ]; }

# Some font draws Chinese (fontconfig comes with Chromium; without it, assume not).
has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]
}

is_root() { [ "$(id -u)" -eq 0 ]; }
can_install() { is_root || command -v sudo >/dev/null 2>&1; }

# apt-get as root: directly, through sudo (non-interactive), or not at all.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "sudo refused to run apt-get (does it want a password?): run 'sudo apt-get install chromium $CJK_FONT_PACKAGE' yourself"
    else
        die "installing Debian packages needs root, and there is no sudo: run 'apt-get install chromium $CJK_FONT_PACKAGE' as root, or set CARRIERDESK_CHROMIUM to a Chromium binary"
    fi
}

# apt_install PACKAGE...: from Debian's mirrors, without recommended packages.
apt_install() {
    command -v apt-get >/dev/null 2>&1 \
        || die "there is no apt-get to install $*: install Chromium yourself and set CARRIERDESK_CHROMIUM to its path"
    log "installing Debian's $* (apt-get)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >&2
}

cmd_ensure() {
    local -a packages=()
    if ! installed; then
        [ "$CHROMIUM" = /usr/bin/chromium ] \
            || die "CARRIERDESK_CHROMIUM=$CHROMIUM does not exist (this script installs only Debian's /usr/bin/chromium)"
        packages+=(chromium)
    fi
    if ! has_cjk_font; then
        if [ ${#packages[@]} -gt 0 ] || can_install; then
            packages+=("$CJK_FONT_PACKAGE")
        else
            log "warning: no font draws Chinese; screenshots will show boxes (apt-get install $CJK_FONT_PACKAGE)"
        fi
    fi
    if ! installed; then
        apt_install "${packages[@]}"
        installed || die "installed the 'chromium' package but $CHROMIUM is still missing"
    elif [ ${#packages[@]} -gt 0 ]; then
        # Only the font is missing: the tests run without it, so failing to install is a warning.
        (apt_install "${packages[@]}") || log "warning: could not install $CJK_FONT_PACKAGE; screenshots will show boxes for Chinese text"
    fi
    local version
    # --version needs no display; a broken install fails here rather than in the tests.
    version=$("$CHROMIUM" --version 2>/dev/null) || die "$CHROMIUM --version failed: is the install broken?"
    printf '%s (%s)\n' "$version" "$CHROMIUM"
}

cmd_path() {
    installed || die "Chromium is not installed at $CHROMIUM: run scripts/browser.sh ensure"
    printf '%s\n' "$CHROMIUM"
}

[ $# -eq 1 ] || usage
case $1 in
    ensure) cmd_ensure ;;
    path) cmd_path ;;
    *) usage ;;
esac
