import java.lang.reflect.Field;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local (same arguments as DynamoDBLocal.jar) listening on
 * 127.0.0.1 only, refusing browser requests. DynamoDB Local has no option for
 * its listen address (Jetty binds every interface) and answers CORS requests
 * from any origin, so bucketflow starts it through this class: the Jetty
 * server it builds is given a loopback host and a handler in front that
 * answers 403 to any request carrying an Origin header (a page in a browser)
 * or naming another Host (DNS rebinding). AWS SDKs send neither.
 */
public final class LoopbackDynamoDbLocal {
  private static final String LOOPBACK = "127.0.0.1";

  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // DynamoDBProxyServer keeps its Jetty server private and binds it to every interface.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int port = 0;
    for (Connector connector : server.getConnectors()) {
      ServerConnector serverConnector = (ServerConnector) connector;
      serverConnector.setHost(LOOPBACK);
      port = serverConnector.getPort();
    }
    server.setHandler(new RefuseBrowsers(server.getHandler(), port));
    proxy.start();
  }

  /** Answers 403 to browser requests and to requests for another host; passes the rest on. */
  static final class RefuseBrowsers extends Handler.Wrapper {
    private final String loopbackHost;
    private final String localhostHost;

    RefuseBrowsers(Handler handler, int port) {
      super(handler);
      this.loopbackHost = LOOPBACK + ":" + port;
      this.localhostHost = "localhost:" + port;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String origin = request.getHeaders().get(HttpHeader.ORIGIN);
      String host = request.getHeaders().get(HttpHeader.HOST);
      if (origin != null) {
        Response.writeError(
            request, response, callback, 403,
            "bucketflow's DynamoDB Local refuses browser requests (Origin " + origin + ")");
        return true;
      }
      if (host == null || !(host.equals(loopbackHost) || host.equals(localhostHost))) {
        Response.writeError(
            request, response, callback, 403,
            "bucketflow's DynamoDB Local answers only " + loopbackHost);
        return true;
      }
      return super.handle(request, response, callback);
    }
  }
}
