#!/usr/bin/env python3
"""One long-lived headless LibreOffice instance, driven over UNO, converting documents on request.

Started by the Node LibreOffice pool, one process per instance:
    python3 convert_server.py <profile-dir> <pipe-name>
It starts soffice with its own user profile (instances sharing a profile silently drop conversions),
connects to it, prints {"ready": true, "version": "..."} and then reads one JSON request per line on
stdin: {"id": "...", "input": "/path/in.docx", "output": "/path/out.pdf", "pdfVersion": 2}
and answers one JSON line each: {"id": "...", "ok": true, "ms": 71} or {"id": "...", "ok": false,
"error": "..."}. A health check {"id": "...", "op": "ping"} answers {"id": "...", "ok": true} only if
soffice still runs and answers over UNO, else {"id": "...", "ok": false, "error": "..."}: the bridge
outlives a soffice killed from outside, so the caller asks before trusting it. EOF on stdin stops
soffice and exits. Uses Debian's python3-uno.
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def file_url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


def reply(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# The PDF export filter depends on the kind of document LibreOffice loaded.
EXPORT_FILTERS = [
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
]


def connect(pipe, soffice, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        if soffice.poll() is not None:
            raise RuntimeError("soffice exited with code %s before accepting connections" % soffice.returncode)
        try:
            return resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not accept a UNO connection in time")
            time.sleep(0.1)


def convert(desktop, request):
    document = desktop.loadComponentFromURL(
        file_url(request["input"]), "_blank", 0,
        (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0), prop("MacroExecutionMode", 0)),
    )
    if document is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        export = next((f for service, f in EXPORT_FILTERS if document.supportsService(service)), None)
        if export is None:
            raise RuntimeError("no PDF export for this kind of document")
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (
            prop("SelectPdfVersion", int(request.get("pdfVersion", 2))),
            prop("UseTaggedPDF", True),
            prop("ExportFormFields", False),
        ))
        document.storeToURL(file_url(request["output"]), (prop("FilterName", export), prop("FilterData", filter_data)))
        return export
    finally:
        document.close(True)


def health(soffice, desktop):
    """None when soffice runs and answers over UNO, else why not."""
    code = soffice.poll()
    if code is not None:
        return "soffice exited (%s)" % ("signal %d" % -code if code < 0 else "code %d" % code)
    try:
        desktop.getFrames().getCount()
    except Exception as error:
        return "soffice does not answer over UNO: %s" % (str(error) or error.__class__.__name__)
    return None


def main():
    profile, pipe = sys.argv[1], sys.argv[2]
    soffice = subprocess.Popen(
        [
            os.environ.get("SOFFICE", "soffice"), "--headless", "--invisible", "--nologo", "--nodefault",
            "--norestore", "--nolockcheck", "--nofirststartwizard",
            "-env:UserInstallation=%s" % file_url(profile),
            "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(pipe, soffice, time.monotonic() + 60)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        provider = context.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", context)
        about = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", "/org.openoffice.Setup/Product"),))
        reply({"ready": True, "version": "%s %s" % (about.ooName, about.ooSetupVersionAboutBox)})
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            if request.get("op") == "ping":
                problem = health(soffice, desktop)
                reply({"id": request["id"], "ok": problem is None, **({"error": problem} if problem else {})})
                continue
            started = time.monotonic()
            try:
                export = convert(desktop, request)
                reply({"id": request["id"], "ok": True, "filter": export, "ms": round((time.monotonic() - started) * 1000)})
            except Exception as error:  # reported to the caller, who decides; never kills the instance
                reply({"id": request["id"], "ok": False, "error": str(error) or error.__class__.__name__})
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        soffice.terminate()
        try:
            soffice.wait(10)
        except subprocess.TimeoutExpired:
            soffice.kill()


if __name__ == "__main__":
    main()
