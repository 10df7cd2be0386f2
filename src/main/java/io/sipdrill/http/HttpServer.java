package io.sipdrill.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * sipdrill's HTTP side (Netty): /health, and documents it publishes, such as the certificate an
 * x5u points at. Read-only: GET and HEAD only.
 */
public final class HttpServer implements AutoCloseable {
    private record Document(String contentType, byte[] body) { }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Document> documents = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Function<String, Document>> live = new ConcurrentHashMap<>();
    private final Channel channel;

    private HttpServer(String host, int port) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler());
                    }
                });
        try {
            channel = b.bind(host, port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new IllegalArgumentException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage()
                    + "; is the port in use?");
        }
    }

    public static HttpServer start(String host, int port) {
        return new HttpServer(host, port);
    }

    /** "http://127.0.0.1:8080" */
    public String baseUrl() {
        InetSocketAddress a = (InetSocketAddress) channel.localAddress();
        String h = a.getAddress().getHostAddress();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** Publishes a document at path ("/certs/sp-cert.pem") and returns its full URL. */
    public String publish(String path, String contentType, byte[] body) {
        documents.put(path, new Document(contentType, body.clone()));
        return baseUrl() + path;
    }

    /** Serves at path a document made at each request from the client's Accept header (e.g. /metrics). */
    public void route(String path, java.util.function.Function<String, String> contentType,
                      java.util.function.Function<String, String> body) {
        live.put(path, accept -> new Document(contentType.apply(accept), body.apply(accept).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or HEAD only\n");
            } else if (path.equals("/health")) {
                response = text(HttpResponseStatus.OK, "ok\n");
            } else {
                var made = live.get(path);
                Document d = made != null ? made.apply(request.headers().get(HttpHeaderNames.ACCEPT)) : documents.get(path);
                response = d == null ? text(HttpResponseStatus.NOT_FOUND, "not found\n")
                        : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(d.body()));
                if (d != null) response.headers().set(HttpHeaderNames.CONTENT_TYPE, d.contentType());
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (request.method().equals(HttpMethod.HEAD)) response.content().clear();
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private FullHttpResponse text(HttpResponseStatus status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            return r;
        }
    }
}
