// Independent validators for the tests, run with Java's single-file source launcher:
//   java -cp "<libs>/*" Validate.java bag <dir> | pdfa <file> | xml <file>
// (infra/local/validators.sh resolves <libs> from pom.xml.) Prints exactly one JSON line on stdout.
//   bag  <dir>   gov.loc bagit-java: read, Payload-Oxum, then full validation of every manifest and
//                tag manifest (SHA-256 by the JDK, SM3 by BouncyCastle); then our AIP BagIt Profile
//                (aip-bagit-profile.json) by bagit-java's BagLinter; then that every tag manifest lists
//                every tag file (the one check written here). Exit 0 valid, 1 invalid; "checkedBy"
//                says which stage refused. "warnings" are BagLinter's advisory findings.
//   pdfa <file>  veraPDF (greenfield parser) against the PDF/A flavour the file declares.
//                Exit 0 compliant, 1 not compliant, 2 when it could not be validated at all.
//   xml  <file>  namespace-aware well-formedness by the JDK's SAX parser, DOCTYPEs refused.
//                Exit 0 well-formed, 1 not.
// Exit 2 on usage errors and unexpected failures.

import gov.loc.repository.bagit.conformance.BagLinter;
import gov.loc.repository.bagit.conformance.BagitWarning;
import gov.loc.repository.bagit.domain.Bag;
import gov.loc.repository.bagit.exceptions.UnsupportedAlgorithmException;
import gov.loc.repository.bagit.hash.BagitAlgorithmNameToSupportedAlgorithmMapping;
import gov.loc.repository.bagit.hash.StandardBagitAlgorithmNameToSupportedAlgorithmMapping;
import gov.loc.repository.bagit.hash.SupportedAlgorithm;
import gov.loc.repository.bagit.reader.BagReader;
import gov.loc.repository.bagit.verify.BagVerifier;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Security;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.RuleId;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

public class Validate {

  /** SM3 (GB/T 32905): the MessageDigest comes from BouncyCastle; RFC 8493 §2.4 names it "sm3". */
  static final SupportedAlgorithm SM3 =
      new SupportedAlgorithm() {
        @Override
        public String getMessageDigestName() {
          return "SM3";
        }

        @Override
        public String getBagitName() {
          return "sm3";
        }
      };

  /** The standard names (md5, sha1, sha224, sha256, sha512) plus sm3. */
  static final class Algorithms implements BagitAlgorithmNameToSupportedAlgorithmMapping {
    private final StandardBagitAlgorithmNameToSupportedAlgorithmMapping standard =
        new StandardBagitAlgorithmNameToSupportedAlgorithmMapping();

    @Override
    public SupportedAlgorithm getSupportedAlgorithm(String bagitName) throws UnsupportedAlgorithmException {
      if ("sm3".equalsIgnoreCase(bagitName)) return SM3;
      return standard.getSupportedAlgorithm(bagitName);
    }
  }

  public static void main(String[] args) {
    if (args.length != 2) usage();
    int code;
    try {
      switch (args[0]) {
        case "bag":
          code = bag(Path.of(args[1]));
          break;
        case "pdfa":
          code = pdfa(Path.of(args[1]));
          break;
        case "xml":
          code = xml(Path.of(args[1]));
          break;
        default:
          usage();
          return;
      }
    } catch (Throwable t) {
      System.out.println("{\"error\":" + json(describe(t)) + "}");
      code = 2;
    }
    System.out.flush();
    // veraPDF and bagit-java leave non-daemon threads behind; do not wait for them.
    System.exit(code);
  }

  static void usage() {
    System.err.println("usage: java -cp '<libs>/*' Validate.java bag <dir> | pdfa <file> | xml <file>");
    System.out.println("{\"error\":\"usage\"}");
    System.exit(2);
  }

  // --- bag ---------------------------------------------------------------------------------------

  static int bag(Path dir) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    MessageDigest.getInstance("SM3"); // fail loudly here, not as a "corrupt" bag, if the provider is missing
    Algorithms algorithms = new Algorithms();
    String error = null;
    String checkedBy = "bagit-java";
    try {
      Bag bag = new BagReader(algorithms).read(dir);
      if (BagVerifier.canQuickVerify(bag)) BagVerifier.quicklyVerify(bag);
      try (BagVerifier verifier = new BagVerifier(algorithms)) {
        verifier.isValid(bag, false);
      }
      checkedBy = "bagit-profile";
      try (InputStream profile = Files.newInputStream(PROFILE)) {
        BagLinter.checkAgainstProfile(profile, bag);
      }
      checkedBy = "tag-manifest-completeness";
      error = tagManifestsComplete(dir);
    } catch (Exception e) {
      error = describe(e);
    }
    String warnings = lint(dir);
    if (error == null) {
      System.out.println("{\"valid\":true" + warnings + "}");
      return 0;
    }
    System.out.println("{\"valid\":false,\"error\":" + json(error) + ",\"checkedBy\":" + json(checkedBy) + warnings + "}");
    return 1;
  }

  /** Our AIP profile as a BagIt Profile (bagit-profiles spec), checked by bagit-java's BagLinter. */
  static final Path PROFILE = profilePath();

  /** Next to this source file: validators.sh passes -Dvalidators.dir; otherwise the current or the repository root directory. */
  static Path profilePath() {
    String dir = System.getProperty("validators.dir");
    if (dir != null) return Path.of(dir, "aip-bagit-profile.json");
    Path here = Path.of("aip-bagit-profile.json");
    return Files.exists(here) ? here : Path.of("infra", "local", "validators", "aip-bagit-profile.json");
  }

  /**
   * RFC 8493 lets a tag manifest leave tag files out, and neither bagit-java nor the BagIt Profiles
   * spec can require otherwise; our AIPs do: every tag file (everything outside data/ but the tag
   * manifests themselves) must be listed in every tag manifest. Returns the first gap, or null.
   * Paths are decoded as RFC 8493 §2.1.3 says (%0D, %0A, %25) — only for this comparison.
   */
  static String tagManifestsComplete(Path dir) throws IOException {
    Set<String> tagFiles = new TreeSet<>();
    List<Path> tagManifests = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!Files.isRegularFile(p)) continue;
        String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
        if (rel.startsWith("data/")) continue;
        if (rel.matches("tagmanifest-[^/]+\\.txt")) tagManifests.add(p);
        else tagFiles.add(rel);
      }
    }
    if (tagManifests.isEmpty()) return "no tag manifest";
    tagManifests.sort(null);
    for (Path manifest : tagManifests) {
      Set<String> listed = new TreeSet<>();
      for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        String[] parts = line.split("[ \t]+", 2);
        if (parts.length == 2) listed.add(decodeManifestPath(parts[1]));
      }
      for (String tagFile : tagFiles) {
        if (!listed.contains(tagFile)) return manifest.getFileName() + " does not list tag file " + tagFile;
      }
    }
    return null;
  }

  static String decodeManifestPath(String encoded) {
    Matcher m = Pattern.compile("%(25|0[aA]|0[dD])").matcher(encoded);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String code = m.group(1).toUpperCase();
      m.appendReplacement(out, Matcher.quoteReplacement(code.equals("25") ? "%" : code.equals("0A") ? "\n" : "\r"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** BagLinter's advisory findings as `,"warnings":[…]`, or `,"lintError":"…"` when it could not run. */
  static String lint(Path dir) {
    try {
      Set<String> names = new TreeSet<>();
      for (BagitWarning w : BagLinter.lintBag(dir)) names.add(w.name());
      List<String> quoted = new ArrayList<>();
      for (String n : names) quoted.add(json(n));
      return ",\"warnings\":[" + String.join(",", quoted) + "]";
    } catch (Exception e) {
      return ",\"lintError\":" + json(describe(e));
    }
  }

  // --- pdfa --------------------------------------------------------------------------------------

  static int pdfa(Path file) throws Exception {
    VeraGreenfieldFoundryProvider.initialise();
    try (VeraPDFFoundry foundry = Foundries.defaultInstance();
        InputStream in = new FileInputStream(file.toFile());
        PDFAParser parser = foundry.createParser(in)) {
      // getFlavour() throws when the file declares no PDF/A part (veraPDF 1.30: get(0) of an empty
      // list). Such a file is checked against veraPDF's default flavour, as its command line does, so
      // the answer is "not compliant" with reasons rather than an error.
      List<PDFAFlavour> declaredFlavours = parser.getFlavours();
      boolean isDeclared = declaredFlavours != null && !declaredFlavours.isEmpty() && declaredFlavours.get(0) != PDFAFlavour.NO_FLAVOUR;
      PDFAFlavour flavour = isDeclared ? parser.getFlavour() : foundry.defaultFlavour();
      ValidationResult result;
      try (PDFAValidator validator = foundry.createValidator(flavour, false)) {
        result = validator.validate(parser);
      }
      Set<String> first = new LinkedHashSet<>();
      for (TestAssertion a : result.getTestAssertions()) {
        if (a.getStatus() != TestAssertion.Status.FAILED) continue;
        if (first.size() >= 5) break;
        first.add(rule(a.getRuleId()) + ": " + a.getMessage());
      }
      List<String> quoted = new ArrayList<>();
      for (String f : first) quoted.add(json(f));
      System.out.println(
          "{\"compliant\":" + result.isCompliant()
              + ",\"flavour\":" + json(result.getPDFAFlavour().getId())
              + ",\"declared\":" + isDeclared
              + ",\"failedRules\":" + result.getFailedChecks().size()
              + ",\"firstFailures\":[" + String.join(",", quoted) + "]}");
      return result.isCompliant() ? 0 : 1;
    }
  }

  static String rule(RuleId id) {
    return id.getSpecification().getId() + " " + id.getClause() + "-" + id.getTestNumber();
  }

  // --- xml ---------------------------------------------------------------------------------------

  static int xml(Path file) throws Exception {
    SAXParserFactory factory = SAXParserFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    SAXParser parser = factory.newSAXParser();
    String[] root = new String[2];
    DefaultHandler handler =
        new DefaultHandler() {
          @Override
          public void startElement(String uri, String localName, String qName, Attributes attributes) {
            if (root[0] == null) {
              root[0] = localName;
              root[1] = uri;
            }
          }
        };
    try (InputStream in = Files.newInputStream(file)) {
      parser.parse(in, handler);
    } catch (org.xml.sax.SAXParseException e) {
      System.out.println(
          "{\"wellFormed\":false,\"error\":"
              + json("line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage())
              + "}");
      return 1;
    }
    System.out.println("{\"wellFormed\":true,\"root\":" + json(root[0]) + ",\"namespace\":" + json(root[1]) + "}");
    return 0;
  }

  // --- output ------------------------------------------------------------------------------------

  static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
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
