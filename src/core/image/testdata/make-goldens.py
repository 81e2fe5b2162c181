"""Regenerates the MapProxy 1.15 reference images of transform.test.ts (run with /usr/bin/python3).

src-4326.png: a 400x300 test pattern covering EPSG:4326 (-20, 30, 20, 60), with transparent cells.
mapproxy-3857-<method>.png: MapProxy's ImageTransformer output for EPSG:3857
(-2000000, 3600000, 2000000, 8200000) at 256x300 pixels.
mapproxy-25832-bicubic.png: the same into EPSG:25832 (200000, 4000000, 800000, 6500000) at
256x300 pixels: a mesh whose cells are not axis-aligned (the per-pixel bicubic kernel).
"""
from PIL import Image
from mapproxy.image import ImageSource
from mapproxy.image.opts import ImageOptions
from mapproxy.image.transform import ImageTransformer
from mapproxy.srs import SRS

SRC_BBOX = (-20.0, 30.0, 20.0, 60.0)
DST_BBOX = (-2000000.0, 3600000.0, 2000000.0, 8200000.0)
DST_SIZE = (256, 300)
UTM_BBOX = (200000.0, 4000000.0, 800000.0, 6500000.0)


def pattern():
    img = Image.new('RGBA', (400, 300))
    px = img.load()
    for y in range(300):
        for x in range(400):
            cx, cy = x // 20, y // 20
            if (cx * 7 + cy * 3) % 11 == 0:
                px[x, y] = (0, 0, 0, 0)
            elif (cx + cy) % 2 == 0:
                px[x, y] = ((cx * 37) % 256, (cy * 53) % 256, 200, 255)
            else:
                px[x, y] = (250 - (x * 255 // 400) // 2, 40 + (y * 200 // 300), (x + y) % 256, 255)
    return img


def main():
    src = pattern()
    src.save('src-4326.png')
    for method in ('nearest', 'bilinear', 'bicubic'):
        opts = ImageOptions(transparent=True, resampling=method, format='image/png')
        result = ImageTransformer(SRS(4326), SRS(3857)).transform(
            ImageSource(src, image_opts=opts), SRC_BBOX, DST_SIZE, DST_BBOX, opts)
        result.as_image().convert('RGBA').save('mapproxy-3857-%s.png' % method)
    opts = ImageOptions(transparent=True, resampling='bicubic', format='image/png')
    result = ImageTransformer(SRS(4326), SRS(25832)).transform(
        ImageSource(src, image_opts=opts), SRC_BBOX, DST_SIZE, UTM_BBOX, opts)
    result.as_image().convert('RGBA').save('mapproxy-25832-bicubic.png')


if __name__ == '__main__':
    main()
