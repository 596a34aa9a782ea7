// veraPDF kept warm for the pipeline's validate stage: veraPDF has no long-running mode of its own
// (its CLI validates the files named and exits), so this loads its greenfield Foundry once and then
// validates one file per stdin line, answering one JSON line each, in order.
//   compiled by infra/local/validators.sh (javac, into $OA_HOME/validators/classes); run as
//   java -cp "<libs>/*:<classes>" PdfaServer
// Requests (one line each):  <id> TAB <absolute path>   validate the file against the flavour it declares
//                            <id> TAB ping             health check
// Answers:  {"ready":true,"verapdf":"1.30.2"}                                       once, at start
//           {"id":…,"compliant":…,"flavour":"2b","declared":…,"ms":…,"failures":[{"rule":…,"clause":…,"test":…,"count":…,"message":…}]}
//           {"id":…,"unreadable":"…"}     veraPDF could not parse the file (it is not a readable PDF)
//           {"id":…,"error":"…"}          anything else went wrong
//           {"id":…,"pong":true}
// Stdin closed: the process exits. One request at a time: the Node adapter queues.

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.verapdf.ReleaseDetails;
import org.verapdf.core.ModelParsingException;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.RuleId;

public class PdfaServer {
  /** Rules listed per answer: enough to act on, bounded for a file that fails everything. */
  static final int MAX_RULES = 20;

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    VeraGreenfieldFoundryProvider.initialise();
    VeraPDFFoundry foundry = Foundries.defaultInstance();
    // The first validation loads the profile and the model's classes (seconds on a loaded machine):
    // paid here, before "ready", not by the first document.
    try (PDFAParser parser = foundry.createParser(new ByteArrayInputStream(warmUpPdf()));
        PDFAValidator validator = foundry.createValidator(PDFAFlavour.PDFA_2_B, false)) {
      validator.validate(parser);
    }
    out.println("{\"ready\":true,\"verapdf\":" + json(version()) + "}");
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\t');
      if (tab < 0) continue;
      String id = line.substring(0, tab);
      String arg = line.substring(tab + 1);
      String answer;
      if (arg.equals("ping")) {
        answer = "{\"id\":" + json(id) + ",\"pong\":true}";
      } else {
        try {
          answer = validate(foundry, id, arg);
        } catch (ModelParsingException e) {
          answer = "{\"id\":" + json(id) + ",\"unreadable\":" + json(describe(e)) + "}";
        } catch (Throwable t) {
          answer = "{\"id\":" + json(id) + ",\"error\":" + json(describe(t)) + "}";
        }
      }
      out.println(answer);
      out.flush();
    }
    // veraPDF leaves non-daemon threads behind; do not wait for them.
    System.exit(0);
  }

  /** A blank one-page PDF/A-2B, built here so the warm-up needs no file. */
  static byte[] warmUpPdf() {
    String xmp =
        "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
            + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\""
            + " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
            + "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>";
    byte[] xmpBytes = xmp.getBytes(StandardCharsets.UTF_8);
    String[] objects = {
      "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
      null,
    };
    ByteArrayOutputStream pdf = new ByteArrayOutputStream();
    pdf.writeBytes("%PDF-1.7\n%\u00E2\u00E3\u00CF\u00D3\n".getBytes(StandardCharsets.ISO_8859_1));
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i < objects.length; i++) {
      offsets.add(pdf.size());
      pdf.writeBytes(((i + 1) + " 0 obj\n").getBytes(StandardCharsets.ISO_8859_1));
      if (objects[i] != null) {
        pdf.writeBytes(objects[i].getBytes(StandardCharsets.ISO_8859_1));
      } else {
        pdf.writeBytes(("<< /Type /Metadata /Subtype /XML /Length " + xmpBytes.length + " >>\nstream\n").getBytes(StandardCharsets.ISO_8859_1));
        pdf.writeBytes(xmpBytes);
        pdf.writeBytes("\nendstream".getBytes(StandardCharsets.ISO_8859_1));
      }
      pdf.writeBytes("\nendobj\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    int xref = pdf.size();
    StringBuilder tail = new StringBuilder("xref\n0 " + (objects.length + 1) + "\n0000000000 65535 f \n");
    for (int offset : offsets) tail.append(String.format("%010d 00000 n \n", offset));
    String id = "0123456789ABCDEF0123456789ABCDEF";
    tail.append("trailer\n<< /Size " + (objects.length + 1) + " /Root 1 0 R /ID [<" + id + "> <" + id + ">] >>\nstartxref\n" + xref + "\n%%EOF\n");
    pdf.writeBytes(tail.toString().getBytes(StandardCharsets.ISO_8859_1));
    return pdf.toByteArray();
  }

  static String version() {
    ReleaseDetails details = ReleaseDetails.byId("validation-model");
    return details == null ? "unknown" : details.getVersion();
  }

  static String validate(VeraPDFFoundry foundry, String id, String file) throws Exception {
    long started = System.nanoTime();
    try (InputStream in = new FileInputStream(file);
        PDFAParser parser = foundry.createParser(in)) {
      // A file that declares no PDF/A part is checked against veraPDF's default flavour, as its command
      // line does, so the answer is "not compliant" with rule ids rather than an error.
      List<PDFAFlavour> declared = parser.getFlavours();
      boolean isDeclared = declared != null && !declared.isEmpty() && declared.get(0) != PDFAFlavour.NO_FLAVOUR;
      PDFAFlavour flavour = isDeclared ? parser.getFlavour() : foundry.defaultFlavour();
      ValidationResult result;
      try (PDFAValidator validator = foundry.createValidator(flavour, false)) {
        result = validator.validate(parser);
      }
      Map<RuleId, String> messages = new LinkedHashMap<>();
      for (TestAssertion a : result.getTestAssertions()) {
        if (a.getStatus() == TestAssertion.Status.FAILED) messages.putIfAbsent(a.getRuleId(), a.getMessage());
      }
      List<String> failures = new ArrayList<>();
      for (Map.Entry<RuleId, Integer> f : result.getFailedChecks().entrySet()) {
        if (failures.size() >= MAX_RULES) break;
        RuleId rule = f.getKey();
        failures.add(
            "{\"rule\":" + json(rule.getSpecification().getId() + " " + rule.getClause() + "-" + rule.getTestNumber())
                + ",\"clause\":" + json(rule.getClause())
                + ",\"test\":" + rule.getTestNumber()
                + ",\"count\":" + f.getValue()
                + ",\"message\":" + json(messages.get(rule)) + "}");
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      return "{\"id\":" + json(id)
          + ",\"compliant\":" + result.isCompliant()
          + ",\"flavour\":" + json(result.getPDFAFlavour().getId())
          + ",\"declared\":" + isDeclared
          + ",\"failedRules\":" + result.getFailedChecks().size()
          + ",\"ms\":" + ms
          + ",\"failures\":[" + String.join(",", failures) + "]}";
    }
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    Throwable cause = t.getCause();
    String own = t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    return cause == null || cause == t ? own : own + " (" + describe(cause) + ")";
  }

  static String json(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
