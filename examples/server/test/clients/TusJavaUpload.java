import io.tus.java.client.TusClient;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import java.io.File;
import java.net.URL;

/**
 * Uploads a file with io.tus.java.client through the creation extension and
 * prints its upload URL. The JDK's HttpURLConnection cannot send PATCH, so
 * this client sends every chunk as a POST with X-HTTP-Method-Override: PATCH.
 * Usage: java -cp tus-java-client.jar TusJavaUpload.java <creation URL> <file> <bytes per request>
 */
public class TusJavaUpload {
  public static void main(String[] args) throws Exception {
    TusClient client = new TusClient();
    client.setUploadCreationURL(new URL(args[0]));
    TusUploader uploader = client.createUpload(new TusUpload(new File(args[1])));
    uploader.setChunkSize(Integer.parseInt(args[2]));
    uploader.setRequestPayloadSize(Integer.parseInt(args[2]));
    while (uploader.uploadChunk() > -1) {
      // each call sends one chunk
    }
    uploader.finish();
    System.out.println(uploader.getUploadURL());
  }
}
