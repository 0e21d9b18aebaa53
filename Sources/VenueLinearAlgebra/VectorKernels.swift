/// Short-vector kernels (a factor vector is 32–256 floats), inlined into hot loops where a BLAS
/// call's fixed overhead would cost more than the arithmetic. The summation order is fixed, so
/// results are identical wherever they run.
public enum VectorKernels {
    /// `Σ x[i]·y[i]` for `i < count`. O(count).
    @inlinable @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        let rx = UnsafeRawPointer(x)
        let ry = UnsafeRawPointer(y)
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            a0 +=
                rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            a1 +=
                rx.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self)
            i &+= 16
        }
        var sum = (a0 + a1).sum()
        while i < count {
            sum += x[i] * y[i]
            i &+= 1
        }
        return sum
    }

    /// `y[i] += a·x[i]` for `i < count`. O(count).
    @inlinable @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x)
        let ry = UnsafeMutableRawPointer(y)
        let av = SIMD8<Float>(repeating: a)
        var i = 0
        while i + 8 <= count {
            let v =
                ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self) + av
                * rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            y[i] += a * x[i]
            i &+= 1
        }
    }

    /// `y[i] = x[i] + b·y[i]` for `i < count` (the CG direction update). O(count).
    @inlinable @inline(__always)
    public static func xpby(_ x: UnsafePointer<Float>, _ b: Float, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = x[i] + b * y[i] }
    }
}
